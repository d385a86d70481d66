# FGD on the FPN outputs (Yang et al., Focal and Global Knowledge Distillation for Detectors, CVPR 2022): RetinaNet
# X101-64x4d (1x) teacher -> RetinaNet R50 student, COCO, 2x schedule (the student's own mmdet schedule, dataset and
# runtime). The authors' RetinaNet settings: one FGD loss per FPN level with temp=0.5, alpha=1e-3, beta=5e-4,
# gamma=5e-4, lambda=5e-6, gradient clipping 35 and the inheriting strategy (the student's neck and head start from
# the teacher's weights; init_student=True in yzd-v/FGD).
# Target: 40.7 box AP (FGD paper and yzd-v/FGD README); mmrazor's reproduction (configs/distill/fgd README) reports
# 40.5. Teacher 41.0, student alone 37.4 (mmdet retinanet metafile).
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
             methods=[dict(type='FGDLoss', name=f'loss_fgd_fpn{level}', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4,
                           gamma_fgd=5e-4, lambda_fgd=5e-6)])
        for level in range(5)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor', clip_grad=dict(max_norm=35, norm_type=2))
custom_hooks = [dict(type='StudentCheckpointHook')]
