# Class-weighted pixel KD (configs/distillers/digits/kd_class_weighted_cspnext_s_to_tiny_fpn_digits.py) with
# loss-scale balancing: its weight is fixed after 20 iterations so the KD loss is half the student's task loss, as in
# configs/distillers/digits/kd_balanced_cspnext_s_to_tiny_fpn_digits.py.
_base_ = ['./kd_class_weighted_cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='KDLoss', name='loss_pixel_kd', tau=1.0, weight=10.0,
                           class_weight=[0.1] + [1.0] * 10, balance=dict(ratio=0.5, iters=20))]),
    ])
