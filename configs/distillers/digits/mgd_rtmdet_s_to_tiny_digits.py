# MGD (Yang et al., ECCV 2022) on the three PAFPN outputs: RTMDet-s teacher -> RTMDet-tiny student on the embedded
# digits data; data, schedule and recipe are the student's. The loss's own 1x1 align conv and generator map the
# masked student feature to the teacher's. The teacher
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
             methods=[dict(type='MGDLoss', name=f'loss_mgd_p{level + 3}', alpha_mgd=2e-5, lambda_mgd=0.65)])
        for level in range(3)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
