# FGD (Yang et al., CVPR 2022) on the three PAFPN outputs, with the authors' one-stage weights: RTMDet-s teacher ->
# RTMDet-tiny student on the embedded digits data; data, schedule and recipe are the student's. Teacher, student and
# training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='FGDLoss', name=f'loss_fgd_p{level + 3}', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4,
                           gamma_fgd=5e-4, lambda_fgd=5e-6)])
        for level in range(3)
    ])
