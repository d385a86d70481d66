# What the digits segmentation distiller configs share: CSPNeXt-s + FPN head teacher -> CSPNeXt-tiny + FPN head
# student, with the student's data, schedule and recipe. Each config in configs/distillers/digits/ adds its
# `model.distill_cfg`. The teacher (pretrained_model/cspnext_s_fpn_digits.pth) is trained by `make benchmark`, or with
# `python tools/train.py configs/teachers/cspnext_s_fpn_digits.py` and its last checkpoint copied there.
_base_ = ['../../students/cspnext_tiny_fpn_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/cspnext_s_fpn_digits.py',
    student_cfg='{{fileDirname}}/../../students/cspnext_tiny_fpn_digits.py',
    teacher_pretrained='pretrained_model/cspnext_s_fpn_digits.pth')
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
