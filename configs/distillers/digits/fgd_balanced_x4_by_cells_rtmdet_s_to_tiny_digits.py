# FGD balanced to 4x the detection loss with the levels' shares in proportion to their cells: the balanced x4 FGD
# config (configs/distillers/digits/fgd_balanced_x4_rtmdet_s_to_tiny_digits.py) with `shares='cells'`, so that the
# stride-8 level gets 16 times the share of the stride-32 level and every cell weighs the same. Mimic gained on every
# seed only once its levels were weighted this way (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='FGDLoss', name='loss_fgd', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4, gamma_fgd=5e-4,
                           lambda_fgd=5e-6, balance=dict(ratio=4.0, iters=20, shares='cells'))]),
    ])
