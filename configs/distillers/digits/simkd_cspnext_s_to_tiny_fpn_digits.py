# Distillation through the teacher's own classifier, for segmentation: the student's feature before its classifier
# goes through a trained 1x1 connector and the teacher's frozen `decode_head.conv_seg` (the classifier reuse of SimKD,
# Chen et al., CVPR 2022; the cross-head idea of CrossKD, Wang et al., CVPR 2024), and pixel-wise KD makes that
# prediction match the teacher's logits. CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN student on the embedded digits data;
# data, schedule and recipe are the student's (configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py). Not yet
# measured by `make benchmark`.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', student_output_hook=False,  # the classifier's input
             teacher_module='decode_head.conv_seg',  # the teacher's logits
             methods=[dict(type='KDLoss', name='loss_cross_head_kd', tau=1.0, weight=10.0,
                           teacher_path=['decode_head.conv_seg'], align=dict(type='ChannelAlign'))]),
    ])
