# CWD on the segmentation logits (Shu et al., ICCV 2021): PSPNet R50 teacher -> PSPNet R18 student on the embedded
# digits data. Teacher checkpoint: pretrained_model/pspnet_r50_digits.pth, trained with
# `python tools/train.py configs/teachers/pspnet_r50_digits.py`.
_base_ = ['../_base_/datasets/digits_seg.py', '../_base_/schedules/sgd_poly_300it.py', '../_base_/default_runtime.py']
default_scope = 'distiller'
model = dict(
    type='SegmentationDistiller',
    teacher_cfg='{{fileDirname}}/../teachers/pspnet_r50_digits.py',
    student_cfg='{{fileDirname}}/../students/pspnet_r18_digits.py',
    teacher_pretrained='pretrained_model/pspnet_r50_digits.pth',
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
