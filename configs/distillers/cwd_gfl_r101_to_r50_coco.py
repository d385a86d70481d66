# CWD on the classification head (Shu et al., ICCV 2021): GFL R101 (ms, 2x) teacher -> GFL R50 student, COCO, 1x
# schedule (the student's own mmdet schedule, dataset and runtime). bbox_head.gfl_cls is shared by the 5 FPN levels:
# every call is recorded and the per-level losses are summed. tau=1, weight=5 as in mmrazor.
# Target: 41.9 box AP, the mmrazor result of this setup (configs/distill/mmdet/cwd README and metafile,
# cwd_cls_head_gfl_r101_fpn_gfl_r50_fpn_1x_coco); teacher 44.7, student alone 40.2 (mmdet gfl metafile).
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/gfl/gfl_r101_fpn_mstrain_2x_coco/gfl_r101_fpn_mstrain_2x_coco_20200629_200126-dd12f847.pth  # noqa: E501
_base_ = ['mmdet::gfl/gfl_r50_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::gfl/gfl_r101_fpn_ms-2x_coco.py',
    student_cfg='mmdet::gfl/gfl_r50_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/gfl_r101_fpn_mstrain_2x_coco_20200629_200126-dd12f847.pth',
    distill_cfg=[
        dict(student_module='bbox_head.gfl_cls', teacher_module='bbox_head.gfl_cls',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd_cls_head', tau=1.0, weight=5.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
