# Pixel-wise logit distillation (the pixel-wise term of SKD, Liu et al., CVPR 2019: KL divergence of the per-pixel
# class distributions, weight 10): CSPNeXt-s FPN teacher -> CSPNeXt-tiny FPN student on the embedded digits data;
# data, schedule and recipe are the student's. Teacher, student and training:
# configs/_base_/distillers/cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['../../_base_/distillers/cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='KDLoss', name='loss_pixel_kd', tau=1.0, weight=10.0)]),
    ])
