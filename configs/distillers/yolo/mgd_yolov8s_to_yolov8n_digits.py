# MGD (Yang et al., ECCV 2022) on the three feature maps the Detect head reads: YOLOv8s -> YOLOv8n on the digits
# data. alpha_mgd=2e-5 is the paper's detection setting. Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MGDLoss', name='mgd_loss', alpha_mgd=2e-5, lambda_mgd=0.65)])])
