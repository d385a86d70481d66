# MGD (Yang et al., ECCV 2022) on the last decoder feature (full resolution, 16 -> 32 channels through the loss's
# align conv): UNet-c32 teacher -> UNet-c16 student on the embedded digits data; data, schedule and recipe are the
# student's. The teacher
# (pretrained_model/unet_c32_digits.pth) is trained by `make benchmark`, or with
# `python tools/train.py configs/teachers/unet_c32_digits.py` and its last checkpoint copied there.
_base_ = ['../../students/unet_c16_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/unet_c32_digits.py',
    student_cfg='{{fileDirname}}/../../students/unet_c16_digits.py',
    teacher_pretrained='pretrained_model/unet_c32_digits.pth',
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=4,
             methods=[dict(type='MGDLoss', name='loss_mgd', alpha_mgd=2e-5, lambda_mgd=0.75)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
