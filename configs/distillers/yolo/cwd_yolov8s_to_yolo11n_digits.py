# Mixed families: a YOLOv8s teacher (head reads model.15/18/21) distils a YOLO11n student (model.16/19/22). The
# levels are paired from each head's own inputs and 1x1-conv connectors map 64/128/256 to 128/256/512 channels.
# Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolo11n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)])])
