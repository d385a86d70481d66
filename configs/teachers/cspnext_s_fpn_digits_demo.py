# The demo's teacher (`make demo`): the digits CSPNeXt-s FPN teacher (configs/teachers/cspnext_s_fpn_digits.py) on the
# demo student's data and 96 px crops (configs/students/cspnext_tiny_fpn_digits_demo.py), for 800 iterations of batch
# 16 (the benchmark's teacher: 1200 on 128 px); trained once by the demo and kept at
# pretrained_model/cspnext_s_fpn_digits_demo.pth.
_base_ = ['../students/cspnext_tiny_fpn_digits_demo.py']
model = dict(  # the architecture of configs/teachers/cspnext_s_fpn_digits.py
    backbone=dict(deepen_factor=0.33, widen_factor=0.5),
    decode_head=dict(in_channels=[64, 128, 256, 512]))
max_iters = 800
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=2e-5, begin=50, end=max_iters, by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=200)
