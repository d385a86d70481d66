# PKD (Cao et al., NeurIPS 2022: MSE of the per-channel standardised features) on the backbone's stride 8, 16 and 32
# outputs: CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN student on the embedded digits data; data, schedule and recipe are
# the student's. Teacher, student and training: configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=level,
             methods=[dict(type='PKDLoss', name=f'loss_pkd_s{2 ** (level + 2)}', weight=6.0)])
        for level in (1, 2, 3)
    ])
