# Feature mimicking baseline (FitNets hint, Romero et al., ICLR 2015): MSE between the FPN outputs of a RetinaNet R101
# (2x) teacher and a RetinaNet R50 student, COCO, 1x schedule (the student's own mmdet schedule, dataset and
# runtime). The neck's 5 levels are taken whole and summed, weight 1 (untuned).
# Target: none published for this pair; it is the plain-imitation reference for the CWD/MGD/FGD/PKD configs. The
# verified ends are teacher 38.9 and student alone 36.5 box AP (mmdet retinanet metafile).
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
             methods=[dict(type='MimicLoss', name='loss_mimic_fpn', weight=1.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
