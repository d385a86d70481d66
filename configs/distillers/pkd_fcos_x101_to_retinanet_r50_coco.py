# PKD on the FPN outputs (Cao et al., NeurIPS 2022), a heterogeneous pair: FCOS X101-64x4d (ms, 2x) teacher ->
# RetinaNet R50 student, COCO, 1x schedule (the student's own mmdet schedule, dataset and runtime). Pearson-correlation
# imitation of FPN levels 0-3 with weight 10 each, as in mmrazor's configs/distill/mmdet/pkd/
# pkd_fpn_fcos_x101_retina_r50_1x_coco.py; the teacher only runs up to its neck.
# Target: 40.3 box AP, mmrazor's result of that config (configs/distill/mmdet/pkd README); teacher 42.6, student
# alone 36.5 (mmdet fcos and retinanet metafiles).
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/fcos/fcos_x101_64x4d_fpn_gn-head_mstrain_640-800_2x_coco/fcos_x101_64x4d_fpn_gn-head_mstrain_640-800_2x_coco-ede514a8.pth  # noqa: E501
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::fcos/fcos_x101-64x4d_fpn_gn-head_ms-640-800-2x_coco.py',
    student_cfg='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/fcos_x101_64x4d_fpn_gn-head_mstrain_640-800_2x_coco-ede514a8.pth',
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck', index=level,
             methods=[dict(type='PKDLoss', name=f'loss_pkd_fpn{level}', weight=10.0)])
        for level in range(4)
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
