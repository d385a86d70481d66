# The YOLOv8 KD recipe's mimic (FitNets hint) feature loss: the mean squared error between the student's and the
# teacher's feature maps, on the three levels the Detect head reads (model.15/18/21 on YOLOv8; no module names, so
# the entry expands to those levels), with a trained 1x1 connector lifting YOLOv8n's 64/128/256 channels to YOLOv8s's
# 128/256/512. The per-level losses are summed. YOLOv8s teacher -> YOLOv8n student on the digits data. Teacher: see
# cwd_yolov8s_to_yolov8n_digits.py. The recipe's longer default layer list is mimic_layers_yolov8s_to_yolov8n_digits.py.
#   python tools/train.py configs/distillers/yolo/mimic_yolov8s_to_yolov8n_digits.py
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MimicLoss', name='mimic_loss', weight=1.0)])])
