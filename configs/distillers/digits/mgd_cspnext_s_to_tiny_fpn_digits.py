# MGD (Yang et al., ECCV 2022) on the backbone's stride 8, 16 and 32 outputs: CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN
# student on the embedded digits data; data, schedule and recipe are the student's. The loss's own 1x1 align conv and
# generator map the masked student feature to the teacher's. Teacher, student and training:
# configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=level,
             methods=[dict(type='MGDLoss', name=f'loss_mgd_s{2 ** (level + 2)}', alpha_mgd=2e-5, lambda_mgd=0.75)])
        for level in (1, 2, 3)
    ])
