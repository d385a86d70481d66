# Mimic balanced to a fifth of the detection loss: the mimic config (mimic_yolov8s_to_yolov8n_digits.py, the MSE on
# the three levels the Detect head reads) with its weight fixed after 20 iterations so that it is 0.2 times
# Ultralytics' task loss, each level an equal share. CWD, the method that helps on this suite, runs at 0.15-0.23 of
# the task loss (the efficacy runs' results.csv).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MimicLoss', name='mimic_loss', weight=1.0,
                                    balance=dict(ratio=0.2, iters=20))])])
