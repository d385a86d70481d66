# Online distillation example (teacher_trainable=True): a RetinaNet R50 teacher keeps training on its own detection
# loss (logged as teacher.loss_*) while a RetinaNet R18 student learns from it with CWD on the 5 FPN levels (tau=1,
# weight 10, as in the mmrazor RetinaNet CWD config). COCO, 1x schedule (the student's own mmdet schedule, dataset and
# runtime); the optimizer holds the teacher's parameters too.
# Target: none published for this setup; the verified ends are student alone 31.7 box AP (retinanet_r18_fpn_1x_coco)
# and the teacher's starting point 36.5 (retinanet_r50_fpn_1x_coco, mmdet retinanet metafile).
# The teacher starts from the official checkpoint below (download into pretrained_model/); set teacher_pretrained=None
# to train both from their ImageNet backbones instead (mutual learning).
# https://download.openmmlab.com/mmdetection/v2.0/retinanet/retinanet_r50_fpn_1x_coco/retinanet_r50_fpn_1x_coco_20200130-c2398f9e.pth  # noqa: E501
_base_ = ['mmdet::retinanet/retinanet_r18_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    student_cfg='mmdet::retinanet/retinanet_r18_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/retinanet_r50_fpn_1x_coco_20200130-c2398f9e.pth',
    teacher_trainable=True,
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd_fpn', tau=1.0, weight=10.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
