# Semantic segmentation with RTMDet-s's backbone (CSPNeXt, deepen 0.33 / widen 0.5) and an FPN head on the digits
# data: the teacher of the digits segmentation benchmark, with the student's data and recipe but twice its schedule
# (1200 iterations, as the RTMDet-s detection teacher). `make benchmark` trains it once and keeps it at
# pretrained_model/cspnext_s_fpn_digits.pth; by hand: `python tools/train.py configs/teachers/cspnext_s_fpn_digits.py`.
_base_ = ['../students/cspnext_tiny_fpn_digits.py']
model = dict(
    backbone=dict(deepen_factor=0.33, widen_factor=0.5),
    decode_head=dict(in_channels=[64, 128, 256, 512]))
max_iters = 1200
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=2e-5, begin=50, end=max_iters, by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=400)
