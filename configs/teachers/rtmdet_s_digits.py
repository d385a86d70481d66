# RTMDet-s (deepen 0.33 / widen 0.5, PAFPN 128 channels) on the digits data: the teacher of the digits detection
# benchmark, with the student's data, schedule and recipe. `make benchmark` trains it once and keeps it at
# pretrained_model/rtmdet_s_digits.pth; by hand: `python tools/train.py configs/teachers/rtmdet_s_digits.py`.
_base_ = ['../students/rtmdet_tiny_digits.py']
model = dict(
    backbone=dict(deepen_factor=0.33, widen_factor=0.5),
    neck=dict(in_channels=[128, 256, 512], out_channels=128),
    bbox_head=dict(in_channels=128, feat_channels=128))
