# The YOLOv8 KD recipe's default feature layer list, [2, 4, 6, 8, 12, 15, 18, 21]: the outputs of the eight C2f blocks
# of YOLOv8 (backbone stages P2-P5 and the whole neck; the Conv, SPPF, Upsample and Concat layers are skipped), here
# with the recipe's mimic loss (mean squared error) on each, YOLOv8s teacher -> YOLOv8n student on the digits data.
# The widths differ (YOLOv8n is half as wide), so each pair gets a trained 1x1 connector. One entry per layer, each
# its own loss (and progress-bar column); the total is their sum. Swap `type` for another feature loss on the same
# layers (ChannelWiseDivergence, MGDLoss, ...). Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
#   python tools/train.py configs/distillers/yolo/mimic_layers_yolov8s_to_yolov8n_digits.py
_base_ = ['../../_base_/yolo/digits_detect.py']
LAYERS = [2, 4, 6, 8, 12, 15, 18, 21]
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module=f'model.{i}', teacher_module=f'model.{i}',
             methods=[dict(type='MimicLoss', name=f'mim{i}_loss', weight=1.0)])
        for i in LAYERS
    ])
