# CWD (Shu et al., ICCV 2021) on the three feature maps the Detect head reads (model.15/18/21 on YOLOv8): YOLOv8s
# teacher -> YOLOv8n student on the embedded digits data. The teacher is a plain Ultralytics run:
# `yolo train model=yolov8s.yaml data=data/digits/yolo/detect/digits.yaml imgsz=128 epochs=60 fliplr=0
#  save_dir=work_dirs/yolov8s_digits` and then `cp work_dirs/yolov8s_digits/weights/best.pt
#  pretrained_model/yolov8s_digits.pt` (tools/benchmark/yolo_builtin.py does this for you).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        # No module names: one pair per head input level, 1x1-conv connectors where channels differ.
        dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)]),
    ])
