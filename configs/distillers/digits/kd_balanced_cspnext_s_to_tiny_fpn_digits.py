# Pixel-wise logit distillation with loss-scale balancing: the pixel KD config
# (configs/distillers/digits/kd_cspnext_s_to_tiny_fpn_digits.py), with its weight fixed after 20 iterations so the
# KD loss is half the student's task loss. At SKD's weight 10 the KD loss was 10x the cross-entropy at the start and
# 2x at the end, and the students collapsed (about 11 mIoU against 36 plain, docs/benchmarks.md).
_base_ = ['./kd_cspnext_s_to_tiny_fpn_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='KDLoss', name='loss_pixel_kd', tau=1.0, weight=10.0,
                           balance=dict(ratio=0.5, iters=20))]),
    ])
