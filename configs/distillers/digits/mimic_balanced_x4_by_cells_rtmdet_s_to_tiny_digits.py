# Feature mimicking balanced to 4x the detection loss, each PAFPN level's share in proportion to its cells: the
# balanced x4 mimic config (configs/distillers/digits/mimic_balanced_x4_rtmdet_s_to_tiny_digits.py) as one entry per
# level with its own ratio, 4 * 256/336 on stride 8 (16x16 cells at 128 px), 4 * 64/336 on stride 16, 4 * 16/336 on
# stride 32. An equal share per level gives each stride-32 cell 16 times the weight of a stride-8 cell; the one seed
# that gained with equal shares was the one whose stride-32 multiplier came out lowest (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='MimicLoss', name=f'loss_mimic_p{level + 3}', weight=1.0,
                           balance=dict(ratio=4.0 * cells / 336, iters=20))])
        for level, cells in enumerate((256, 64, 16))
    ])
