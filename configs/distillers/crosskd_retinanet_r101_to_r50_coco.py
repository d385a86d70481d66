# CrossKD (Wang et al., CVPR 2024): RetinaNet R101 (1x) teacher -> RetinaNet R50 student, COCO, 1x schedule (the
# student's own mmdet schedule, dataset and runtime). The student's feature after its third of four convs in each
# branch (`bbox_head.cls_convs.2`, `bbox_head.reg_convs.2`, shared by the 5 FPN levels: every call is paired in order)
# goes through the teacher's fourth conv and prediction conv. The cross-head class logits mimic the teacher's with the
# quality-focal KD loss (beta 1, weight 1); the cross-head anchor deltas, decoded with the head's coder (stds 1),
# mimic the teacher's boxes with 1 - GIoU, each anchor weighted by the teacher's top class score (weight 1): the
# paper's weights and crossing (reused_teacher_head_idx=3). Both heads are 256 wide, so no connector. Differences
# from the paper: the crossing is after the ReLU and the student feature keeps its own statistics (the paper crosses
# before the ReLU and rescales each channel to the teacher's mean and std); the GIoU term is normalised by the
# teacher's summed scores, not the student's positive anchors.
# Paper targets: student 37.4 -> 39.7 box AP; this config was not run on COCO here (no GPU), so it has no measured
# result.
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/retinanet/retinanet_r101_fpn_1x_coco/retinanet_r101_fpn_1x_coco_20200130-7a93545f.pth  # noqa: E501
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::retinanet/retinanet_r101_fpn_1x_coco.py',
    student_cfg='mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/retinanet_r101_fpn_1x_coco_20200130-7a93545f.pth',
    distill_cfg=[
        dict(student_module='bbox_head.cls_convs.2', teacher_module='bbox_head.retina_cls',
             methods=[dict(type='QualityFocalKDLoss', name='loss_crosskd_cls', beta=1.0, weight=1.0,
                           teacher_path=['bbox_head.cls_convs.3', 'bbox_head.retina_cls'])]),
        dict(student_module='bbox_head.reg_convs.2', teacher_module='bbox_head.retina_reg',
             methods=[dict(type='DeltaGIoUKDLoss', name='loss_crosskd_box', score_module='bbox_head.retina_cls',
                           target_stds=(1.0, 1.0, 1.0, 1.0), weight=1.0,
                           teacher_path=['bbox_head.reg_convs.3', 'bbox_head.retina_reg'])]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
