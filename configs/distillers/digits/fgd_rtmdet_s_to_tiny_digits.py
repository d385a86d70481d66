# FGD (Yang et al., CVPR 2022) on the three PAFPN outputs, with the authors' one-stage weights: RTMDet-s teacher ->
# RTMDet-tiny student on the embedded digits data; data, schedule and recipe are the student's. The teacher
# (pretrained_model/rtmdet_s_digits.pth) is trained by `make benchmark`, or with
# `python tools/train.py configs/teachers/rtmdet_s_digits.py` and its last checkpoint copied there.
_base_ = ['../../students/rtmdet_tiny_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/rtmdet_s_digits.py',
    student_cfg='{{fileDirname}}/../../students/rtmdet_tiny_digits.py',
    teacher_pretrained='pretrained_model/rtmdet_s_digits.pth',
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='FGDLoss', name=f'loss_fgd_p{level + 3}', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4,
                           gamma_fgd=5e-4, lambda_fgd=5e-6)])
        for level in range(3)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
