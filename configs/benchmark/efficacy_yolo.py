# YOLO detect rows of `make benchmark` (tools/benchmark/efficacy.py): YOLOv8s teacher -> YOLOv8n student on the
# embedded digits data (128 px, 30 epochs, Ultralytics' trainer and validator; mAP50-95 of best.pt), scored on the
# suite's own 500 validation images (the default 50 scored every student about a third higher and reordered seeds).
# The teacher (pretrained_model/yolov8s_digits.pt) is trained for 40 epochs on the first run and kept.
title = 'YOLO detect: YOLOv8s -> YOLOv8n (digits, 128 px, 30 epochs)'
seeds = [0, 1, 2]
data = dict(root='data/digits_bench', num_val=500)
methods = {
    'CWD': 'configs/distillers/yolo/cwd_yolov8s_to_yolov8n_digits.py',
    'MGD': 'configs/distillers/yolo/mgd_yolov8s_to_yolov8n_digits.py',
    'MGD (balanced)': 'configs/distillers/yolo/mgd_balanced_yolov8s_to_yolov8n_digits.py',
    'MGD (balanced, level shares by cells)':
        'configs/distillers/yolo/mgd_balanced_cells_yolov8s_to_yolov8n_digits.py',
    'FGD': 'configs/distillers/yolo/fgd_yolov8s_to_yolov8n_digits.py',
    'FGD (balanced)': 'configs/distillers/yolo/fgd_balanced_yolov8s_to_yolov8n_digits.py',
    'FGD (balanced, level shares by cells)':
        'configs/distillers/yolo/fgd_balanced_cells_yolov8s_to_yolov8n_digits.py',
    'FGD (balanced to 0.4, level shares by cells)':
        'configs/distillers/yolo/fgd_balanced_0p4_cells_yolov8s_to_yolov8n_digits.py',
    'mimic': 'configs/distillers/yolo/mimic_yolov8s_to_yolov8n_digits.py',
    'mimic (balanced)': 'configs/distillers/yolo/mimic_balanced_yolov8s_to_yolov8n_digits.py',
    'mimic (balanced, level shares by cells)':
        'configs/distillers/yolo/mimic_balanced_cells_yolov8s_to_yolov8n_digits.py',
    'mimic (balanced to 0.4, level shares by cells)':
        'configs/distillers/yolo/mimic_balanced_0p4_cells_yolov8s_to_yolov8n_digits.py',
    'logit KD': 'configs/distillers/yolo/kd_yolov8s_to_yolov8n_digits.py',
    'logit KD (balanced)': 'configs/distillers/yolo/kd_balanced_yolov8s_to_yolov8n_digits.py',
    'CWD + logit KD (mix)': 'configs/distillers/yolo/cwd_kd_yolov8s_to_yolov8n_digits.py',
    'CrossKD': 'configs/distillers/yolo/crosskd_yolov8s_to_yolov8n_digits.py',
}
builtin = dict(dis=6.0)  # Ultralytics' own distillation (distill_model=teacher, dis=6.0), same teacher and schedule
teacher_train = dict(model='yolov8s.yaml', epochs=40)
