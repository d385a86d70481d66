# Logit KD balanced to a fifth of the detection loss: the logit KD config (kd_yolov8s_to_yolov8n_digits.py) with each
# term's weight fixed after 20 iterations so that the class and the box terms are each 0.1 times Ultralytics' task
# loss. At weight 1 / 0.25 the two terms, averaged over every anchor and class, are about 0.004 of the task loss on
# this data; CWD, the method that helps on this suite, runs at 0.15-0.23 of it (the efficacy runs' results.csv).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module='model.22', teacher_module='model.22', index='scores',
             methods=[dict(type='BinaryKDLoss', name='kdcls_loss', tau=1.0, weight=1.0,
                           balance=dict(ratio=0.1, iters=20))]),
        dict(student_module='model.22', teacher_module='model.22', index='boxes',
             methods=[dict(type='KDLoss', name='kdbox_loss', tau=1.0, groups=4, weight=0.25,
                           balance=dict(ratio=0.1, iters=20))]),
    ])
