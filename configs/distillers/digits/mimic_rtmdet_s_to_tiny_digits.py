# Feature mimicking (MSE of the PAFPN outputs, Li et al., CVPR 2017 style): RTMDet-s teacher -> RTMDet-tiny student on
# the embedded digits data; data, schedule and recipe are the student's. Teacher, student and training:
# configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='MimicLoss', name=f'loss_mimic_p{level + 3}', weight=1.0)])
        for level in range(3)
    ])
