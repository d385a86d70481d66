# Pixel-wise logit distillation weighted by class as the student's cross-entropy is: the pixel KD config
# (configs/distillers/digits/kd_cspnext_s_to_tiny_fpn_digits.py, SKD's weight 10) with each pixel's KL divergence
# multiplied by the class weight of the teacher's top class, background 0.1 and every digit 1, the weights of
# configs/students/cspnext_tiny_fpn_digits.py. Unweighted, the term is an average over pixels that are 94 % background.
_base_ = ['./kd_cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='KDLoss', name='loss_pixel_kd', tau=1.0, weight=10.0,
                           class_weight=[0.1] + [1.0] * 10)]),
    ])
