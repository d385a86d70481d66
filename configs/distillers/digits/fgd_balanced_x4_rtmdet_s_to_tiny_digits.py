# FGD balanced to 4x the detection loss: the balanced FGD config
# (configs/distillers/digits/fgd_balanced_rtmdet_s_to_tiny_digits.py) with `ratio=4.0` instead of 0.5. Mimic on
# the same outputs only helps from about 4x the detection loss (docs/benchmarks.md): this row tests whether FGD, the
# same raw-value matching with attention weights and a foreground focus, also only lacks scale.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='FGDLoss', name='loss_fgd', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4, gamma_fgd=5e-4,
                           lambda_fgd=5e-6, balance=dict(ratio=4.0, iters=20))]),
    ])
