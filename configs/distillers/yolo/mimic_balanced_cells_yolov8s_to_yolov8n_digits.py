# Mimic balanced to a fifth of the detection loss with the head levels' shares in proportion to their cells: the
# balanced Mimic config (mimic_balanced_yolov8s_to_yolov8n_digits.py) with `shares='cells'`, so that the stride-8
# level gets 16 times the share of the stride-32 level and every cell weighs the same. On the RTMDet suite mimic
# gained on every seed only once its levels were weighted this way (docs/benchmarks.md).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MimicLoss', name='mimic_loss', weight=1.0,
                                    balance=dict(ratio=0.2, iters=20, shares='cells'))])])
