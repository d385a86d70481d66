# CWD on the segmentation logits (Shu et al., ICCV 2021): PSPNet R101-D8 teacher -> PSPNet R18-D8 student, Cityscapes
# 512x1024, 80k iterations (the student's own mmseg schedule, dataset and runtime).
# Target: 75.54 mIoU, the mmrazor reproduction of this exact setup (tau=1, weight=5 on decode_head.conv_seg; mmrazor
# configs/distill/mmseg/cwd README and metafile); teacher 79.76, student alone 74.87 (mmseg pspnet metafile). The
# authors' own code (irfanICMLL/TorchDistiller, 512x512 crops, its own teacher) reports 74.6-75.0 for CWD on logits.
# Teacher checkpoint (mmseg model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth  # noqa: E501
_base_ = ['mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    student_cfg='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    teacher_pretrained='pretrained_model/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth',
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=5.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
