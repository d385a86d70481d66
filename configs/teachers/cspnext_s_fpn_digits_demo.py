# The demo's teacher (`make demo`): the digits CSPNeXt-s FPN teacher on the demo's 96 px crops for 800 iterations of
# batch 16 (the benchmark's teacher: 1200 on 128 px), trained once by the demo and kept at
# pretrained_model/cspnext_s_fpn_digits_demo.pth.
_base_ = ['./cspnext_s_fpn_digits.py']
# 96 px training crops of the 128 px canvases (validation stays on the whole 128 px images): 0.58 of the step time.
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(data_preprocessor=dict(size=crop_size))
max_iters = 800
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', eta_min=2e-5, begin=50, end=max_iters, by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=200)
