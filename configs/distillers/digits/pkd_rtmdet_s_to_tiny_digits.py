# PKD (Cao et al., NeurIPS 2022: MSE of the per-channel standardised features) on the three PAFPN outputs: RTMDet-s
# teacher -> RTMDet-tiny student on the embedded digits data; data, schedule and recipe are the student's. The teacher
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
             methods=[dict(type='PKDLoss', name=f'loss_pkd_p{level + 3}', weight=6.0)])
        for level in range(3)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
