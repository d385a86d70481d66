# CWD (Shu et al., ICCV 2021) on the three PAFPN outputs: RTMDet-s teacher -> RTMDet-tiny student on the embedded digits
# data; data, schedule and recipe are the student's. 1x1-conv connectors lift the student's 96 channels to the teacher's
# 128. Teacher, student and training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='ChannelWiseDivergence', name=f'loss_cwd_p{level + 3}', tau=1.0, weight=3.0)])
        for level in range(3)
    ])
