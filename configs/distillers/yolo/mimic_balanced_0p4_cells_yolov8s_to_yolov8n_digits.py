# Mimic balanced to 0.4 of the detection loss with the head levels' shares in proportion to their cells: the
# mimic_balanced_cells_yolov8s_to_yolov8n_digits.py config at twice its ratio. On the RTMDet suite mimic and FGD help
# at about twice the share CWD starts at there; CWD starts near 0.2 of the task loss on this suite
# (docs/benchmarks.md).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MimicLoss', name='mimic_loss', weight=1.0,
                                    balance=dict(ratio=0.4, iters=20, shares='cells'))])])
