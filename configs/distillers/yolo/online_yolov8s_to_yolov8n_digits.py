# Online distillation: the teacher is built from its yaml and trained jointly on its own detection loss while the
# student learns from it (CWD on the head inputs). The teacher's state is saved in weights/distill_state.pt.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='yolov8s.yaml',
    teacher_trainable=True,
    distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)])])
