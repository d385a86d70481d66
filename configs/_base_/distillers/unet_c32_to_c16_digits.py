# What the digits segmentation distiller configs share: UNet-c32 teacher -> UNet-c16 student, with the student's
# data, schedule and recipe. Each config in configs/distillers/digits/ adds its `model.distill_cfg`. The teacher
# (pretrained_model/unet_c32_digits.pth) is trained by `make benchmark`, or with
# `python tools/train.py configs/teachers/unet_c32_digits.py` and its last checkpoint copied there.
_base_ = ['../../students/unet_c16_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/unet_c32_digits.py',
    student_cfg='{{fileDirname}}/../../students/unet_c16_digits.py',
    teacher_pretrained='pretrained_model/unet_c32_digits.pth')
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
