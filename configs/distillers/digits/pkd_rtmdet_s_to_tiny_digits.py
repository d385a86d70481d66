# PKD (Cao et al., NeurIPS 2022: MSE of the per-channel standardised features) on the three PAFPN outputs: RTMDet-s
# teacher -> RTMDet-tiny student on the embedded digits data; data, schedule and recipe are the student's. Teacher,
# student and training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='PKDLoss', name=f'loss_pkd_p{level + 3}', weight=6.0)])
        for level in range(3)
    ])
