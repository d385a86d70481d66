# RTMDet-s (deepen 0.33 / widen 0.5, PAFPN 128 channels) on the digits data: the teacher of the digits detection
# benchmark, with the student's data and recipe but twice its schedule (1200 iterations: at 600 it is barely ahead of
# the student, 0.049 against 0.043 mAP at iteration 400). `make benchmark` trains it once and keeps it at
# pretrained_model/rtmdet_s_digits.pth; by hand: `python tools/train.py configs/teachers/rtmdet_s_digits.py`.
_base_ = ['../students/rtmdet_tiny_digits.py']
model = dict(
    backbone=dict(deepen_factor=0.33, widen_factor=0.5),
    neck=dict(in_channels=[128, 256, 512], out_channels=128),
    bbox_head=dict(in_channels=128, feat_channels=128))
max_iters = 1200
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=2e-5, begin=50, end=max_iters, by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=400)
