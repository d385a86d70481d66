# The YOLOv8 pruned-student MGD recovery recipe with its shorter layer list: the cv2 of layers 15, 18 and 21 only
# (the three C2f blocks whose outputs the Detect head reads). Everything else as in
# mgd_recover_pruned_yolov8n_digits.py.
#   python tools/train.py configs/pruning/mgd_recover_pruned_3layers_yolov8n_digits.py
_base_ = ['./mgd_recover_pruned_yolov8n_digits.py']
LAYERS = [15, 18, 21]
model = dict(
    distill_cfg=[
        dict(student_module=f'model.{i}.cv2', teacher_module=f'model.{i}.cv2',
             methods=[dict(_base_.MGD_METHOD, name=f'mgd{i}_loss')])
        for i in LAYERS
    ])
