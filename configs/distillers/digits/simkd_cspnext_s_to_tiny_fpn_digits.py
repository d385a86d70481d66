# Distillation through the teacher's own classifier, for segmentation: the student's feature before its classifier
# goes through a trained 1x1 connector and the teacher's frozen `decode_head.conv_seg` (the classifier reuse of SimKD,
# Chen et al., CVPR 2022; the cross-head idea of CrossKD, Wang et al., CVPR 2024), and that prediction is made to
# match the teacher's logits with the CWD row's loss (channel-wise distillation, tau 1, weight 3), so the benchmark
# compares the two routes with one loss. Pixel-wise KD at SKD's weight 10 collapses the students on this data
# (docs/benchmarks.md). The student keeps its own classifier: the teacher's is used only for the loss.
# CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN student on the embedded digits data; data, schedule and recipe are the
# student's (configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py).
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', student_output_hook=False,  # the classifier's input
             teacher_module='decode_head.conv_seg',  # the teacher's logits
             methods=[dict(type='ChannelWiseDivergence', name='loss_cross_head_cwd', tau=1.0, weight=3.0,
                           teacher_path=['decode_head.conv_seg'], align=dict(type='ChannelAlign'))]),
    ])
