# CWD (Shu et al., ICCV 2021) on the segmentation logits (stride 4): CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN student
# on the embedded digits data; data, schedule and recipe are the student's. Teacher, student and training:
# configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
    ])
