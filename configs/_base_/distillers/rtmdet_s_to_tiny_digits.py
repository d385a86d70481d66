# What the digits detection distiller configs share: RTMDet-s teacher -> RTMDet-tiny student, with the student's data,
# schedule and recipe. Each config in configs/distillers/digits/ adds its `model.distill_cfg`. The teacher
# (pretrained_model/rtmdet_s_digits.pth) is trained by `make benchmark`, or with
# `python tools/train.py configs/teachers/rtmdet_s_digits.py` and its last checkpoint copied there.
_base_ = ['../../students/rtmdet_tiny_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/rtmdet_s_digits.py',
    student_cfg='{{fileDirname}}/../../students/rtmdet_tiny_digits.py',
    teacher_pretrained='pretrained_model/rtmdet_s_digits.pth')
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
