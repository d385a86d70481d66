# MGD (Yang et al., ECCV 2022) on the three PAFPN outputs: RTMDet-s teacher -> RTMDet-tiny student on the embedded
# digits data; data, schedule and recipe are the student's. The loss's own 1x1 align conv and generator map the masked
# student feature to the teacher's. Teacher, student and training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='MGDLoss', name=f'loss_mgd_p{level + 3}', alpha_mgd=2e-5, lambda_mgd=0.65)])
        for level in range(3)
    ])
