# RetinaNet with a ResNet-50 FPN on the digits data: the teacher of the RetinaNet R50 -> R18 digits configs (the
# RepDistiller-zoo form, configs/distillers/digits/at_retinanet_r50_to_r18_fpn_digits.py). Same data, anchors, head
# and recipe as the R18 student, randomly initialised, trained twice as long (600 iterations). Train it and put its
# last checkpoint where the distiller config expects it:
#   python tools/train.py configs/teachers/retinanet_r50_fpn_digits.py --work-dir work_dirs/retinanet_r50_fpn_digits
#   cp work_dirs/retinanet_r50_fpn_digits/iter_600.pth pretrained_model/retinanet_r50_fpn_digits.pth
_base_ = ['../students/retinanet_r18_fpn_digits.py']
model = dict(
    backbone=dict(depth=50),
    neck=dict(in_channels=[256, 512, 1024, 2048]))
max_iters = 600
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[400, 540], gamma=0.1),
]
train_cfg = dict(max_iters=max_iters, val_interval=200)
