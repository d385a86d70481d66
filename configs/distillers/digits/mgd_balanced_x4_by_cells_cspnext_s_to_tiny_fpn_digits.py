# MGD balanced to 4x the cross-entropy, each backbone level's share in proportion to its cells: the MGD config
# (configs/distillers/digits/mgd_cspnext_s_to_tiny_fpn_digits.py, the paper's alpha_mgd and lambda_mgd on the backbone's
# stride 8, 16 and 32 outputs) with each level's weight fixed after 20 iterations so that the three together are 4x
# the task loss, split 256 : 64 : 16 as the levels' cells at 128 px: the setting of the mimic row that helps on this
# suite (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=level,
             methods=[dict(type='MGDLoss', name=f'loss_mgd_s{2 ** (level + 2)}', alpha_mgd=2e-5, lambda_mgd=0.75,
                           balance=dict(ratio=4.0 * cells / 336, iters=20))])
        for level, cells in ((1, 256), (2, 64), (3, 16))
    ])
