# Instance segmentation: CWD on the Segment head's inputs plus MSE on its mask coefficients, YOLOv8s-seg ->
# YOLOv8n-seg on the digits data. Teacher: `yolo train model=yolov8s-seg.yaml data=data/digits/yolo/segment/
# digits-seg.yaml imgsz=128 epochs=60 fliplr=0`, best.pt copied to pretrained_model/yolov8s_seg_digits.pt.
_base_ = ['../../_base_/yolo/digits_segment.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n-seg.yaml',
    teacher='pretrained_model/yolov8s_seg_digits.pt',
    distill_cfg=[
        dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)]),
        dict(student_module='model.22', teacher_module='model.22', index='mask_coefficient',
             methods=[dict(type='LogitMSELoss', name='coef_loss', weight=0.5)]),
    ])
