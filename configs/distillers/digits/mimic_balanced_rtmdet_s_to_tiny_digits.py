# Feature mimicking with loss-scale balancing: the mimic config
# (configs/distillers/digits/mimic_rtmdet_s_to_tiny_digits.py) on the three PAFPN outputs as one tuple entry, its
# weights fixed after 20 iterations so that the MSE is half the detection loss, each level an equal share. At
# weight 1 the stride-32 level's MSE stayed near 14.5 against a detection loss near 1.5, and the students fell from
# 0.09 to 0.04 bbox mAP (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='MimicLoss', name='loss_mimic', weight=1.0, balance=dict(ratio=0.5, iters=20))]),
    ])
