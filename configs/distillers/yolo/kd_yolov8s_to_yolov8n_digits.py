# Logit distillation on the YOLOv8 head outputs: sigmoid KD on the class scores and softmax KD on the DFL box
# distributions (4 sides x reg_max=16 bins). Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module='model.22', teacher_module='model.22', index='scores',
             methods=[dict(type='BinaryKDLoss', name='kdcls_loss', tau=1.0, weight=1.0)]),
        dict(student_module='model.22', teacher_module='model.22', index='boxes',
             methods=[dict(type='KDLoss', name='kdbox_loss', tau=1.0, groups=4, weight=0.25)]),
    ])
