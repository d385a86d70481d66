# The YOLOv8 pruned-student MGD recovery recipe with its widest layer choice, "2-21": the recipe hooks the modules
# named `model.<i>.cv2` for the layers it lists, so every layer 2..21 that has a cv2 is taken. On YOLOv8 those are
# the eight C2f blocks (2, 4, 6, 8, 12, 15, 18, 21) and the SPPF block (9); the Conv, Upsample and Concat layers in
# between (3, 5, 7, 10, 11, 13, 14, 16, 17, 19, 20) have no cv2. The recipe's own commented list
# [2, 4, 6, 8, 12, 15, 18, 21] leaves SPPF out; delete 9 from LAYERS for that. Everything else as in
# mgd_recover_pruned_yolov8n_digits.py.
#   python tools/train.py configs/pruning/mgd_recover_pruned_2to21_yolov8n_digits.py
_base_ = ['./mgd_recover_pruned_yolov8n_digits.py']
LAYERS = [2, 4, 6, 8, 9, 12, 15, 18, 21]
model = dict(
    distill_cfg=[
        dict(student_module=f'model.{i}.cv2', teacher_module=f'model.{i}.cv2',
             methods=[dict(_base_.MGD_METHOD, name=f'mgd{i}_loss')])
        for i in LAYERS
    ])
