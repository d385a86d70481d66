# CWD on the segmentation logits (Shu et al., ICCV 2021): DeepLabV3 R101-D8 teacher -> DeepLabV3 R18-D8 student,
# Cityscapes 512x1024, 80k iterations (the student's own mmseg schedule, dataset and runtime), with the loss settings
# of the mmrazor PSPNet reproduction (tau=1, weight=5 on decode_head.conv_seg).
# Target: no OpenMMLab reproduction of this pair is published, so the only verified numbers are the ends: teacher
# 80.20 and student alone 76.70 mIoU (mmseg deeplabv3 metafile); a working run lands above 76.70.
# Teacher checkpoint (mmseg model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth  # noqa: E501
_base_ = ['mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    student_cfg='mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    teacher_pretrained='pretrained_model/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth',
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=5.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
