# FGD with loss-scale balancing: the FGD config (configs/distillers/digits/fgd_rtmdet_s_to_tiny_digits.py) on the
# three PAFPN outputs as one tuple entry, its weights fixed after 20 iterations so that the FGD loss is half the
# detection loss, each level an equal share. With the authors' COCO weights the loss was about 7x the detection loss,
# most of it on the stride-32 level, and the students fell from 0.09 to 0.02 bbox mAP (docs/benchmarks.md).
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='FGDLoss', name='loss_fgd', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4, gamma_fgd=5e-4,
                           lambda_fgd=5e-6, balance=dict(ratio=0.5, iters=20))]),
    ])
