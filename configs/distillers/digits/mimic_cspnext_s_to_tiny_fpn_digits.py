# Feature mimicking (MSE of the backbone's stride 8, 16 and 32 outputs, Li et al., CVPR 2017 style): CSPNeXt-s FPN
# teacher -> CSPNeXt-tiny FPN student on the embedded digits data; data, schedule and recipe are the student's.
# Teacher, student and training: configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=level,
             methods=[dict(type='MimicLoss', name=f'loss_mimic_s{2 ** (level + 2)}', weight=1.0)])
        for level in (1, 2, 3)
    ])
