# CWD on the FPN outputs (Shu et al., ICCV 2021): RetinaNet R101 (2x) teacher -> RetinaNet R50 student, COCO, 1x
# schedule (the student's own mmdet schedule, dataset and runtime). Settings of the mmrazor config
# configs/distill/mmdet/cwd/cwd_fpn_retina_r101_retina_r50_1x_coco.py: tau=1, weight 10 on each of the 5 levels (the
# neck's tuple is taken whole, so the levels are summed).
# Target: mmrazor publishes no result for this config, so the only verified numbers are the ends: teacher 38.9 and
# student alone 36.5 box AP (mmdet retinanet metafile); a working run lands above 36.5.
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/retinanet/retinanet_r101_fpn_2x_coco/retinanet_r101_fpn_2x_coco_20200131-5560aee8.pth  # noqa: E501
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::retinanet/retinanet_r101_fpn_2x_coco.py',
    student_cfg='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/retinanet_r101_fpn_2x_coco_20200131-5560aee8.pth',
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd_fpn', tau=1.0, weight=10.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
