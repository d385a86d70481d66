# PKD balanced to 4x the cross-entropy, each backbone level's share in proportion to its cells: the PKD config
# (configs/distillers/digits/pkd_cspnext_s_to_tiny_fpn_digits.py, the backbone's stride 8, 16 and 32 outputs) with each
# level's weight fixed after 20 iterations so that the three together are 4x the task loss, split 256 : 64 : 16 as
# the levels' cells at 128 px: the setting of the mimic row that helps on this suite (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=level,
             methods=[dict(type='PKDLoss', name=f'loss_pkd_s{2 ** (level + 2)}', weight=6.0,
                           balance=dict(ratio=4.0 * cells / 336, iters=20))])
        for level, cells in ((1, 256), (2, 64), (3, 16))
    ])
