# CWD (Shu et al., ICCV 2021) on the three PAFPN outputs: RTMDet-s teacher -> RTMDet-tiny student on the embedded
# digits data; data, schedule and recipe are the student's. 1x1-conv connectors lift the student's 96 channels to
# the teacher's 128. The teacher
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
             methods=[dict(type='ChannelWiseDivergence', name=f'loss_cwd_p{level + 3}', tau=1.0, weight=3.0)])
        for level in range(3)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
