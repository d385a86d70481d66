# MGD on the FPN outputs (Yang et al., Masked Generative Distillation, ECCV 2022): RetinaNet X101-64x4d (1x) teacher ->
# RetinaNet R50 student, COCO, 2x schedule (the student's own mmdet schedule, dataset and runtime). One MGD loss (own
# generator) per FPN level, alpha_mgd=2e-5, lambda_mgd=0.65; gradient clipping 35 and the paper's inheriting strategy
# (the student's neck and head start from the teacher's weights), as in the authors' and mmrazor's configs.
# Target: 41.0 box AP, mmrazor's result with this teacher (configs/distill/mmdet/mgd README); the authors report the
# same 41.0 (MGD paper, yzd-v/MGD det README) with the ms-3x X101 teacher. Teacher 41.0, student alone 37.4 (mmdet
# retinanet metafile).
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/retinanet/retinanet_x101_64x4d_fpn_1x_coco/retinanet_x101_64x4d_fpn_1x_coco_20200130-366f5af1.pth  # noqa: E501
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_2x_coco.py']
default_scope = 'distiller'
teacher_ckpt = 'pretrained_model/retinanet_x101_64x4d_fpn_1x_coco_20200130-366f5af1.pth'
student = _base_.model
student.neck.init_cfg = dict(type='Pretrained', prefix='neck.', checkpoint=teacher_ckpt)
student.bbox_head.init_cfg = dict(type='Pretrained', prefix='bbox_head.', checkpoint=teacher_ckpt)
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::retinanet/retinanet_x101-64x4d_fpn_1x_coco.py',
    student_cfg=student,
    teacher_pretrained=teacher_ckpt,
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='MGDLoss', name=f'loss_mgd_fpn{level}', alpha_mgd=2e-5, lambda_mgd=0.65)])
        for level in range(5)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor', clip_grad=dict(max_norm=35, norm_type=2))
custom_hooks = [dict(type='StudentCheckpointHook')]
