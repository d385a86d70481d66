# CrossKD, classification branch (Wang et al., CVPR 2024): GFL R101 (ms, 2x) teacher -> GFL R50 student, COCO, 1x
# schedule (the student's own mmdet schedule, dataset and runtime). The student's class-branch feature after its
# third of four convs (`bbox_head.cls_convs.2`, shared by the 5 FPN levels: every call is paired in order) goes
# through the teacher's fourth conv and `gfl_cls`; that cross-head prediction mimics the teacher's class logits with
# the quality-focal KD loss (beta 1, weight 1), as the paper's config (reused_teacher_head_idx=3). Both heads are 256
# wide, so no connector. Differences from the paper: the crossing is after the activation and the student feature
# keeps its own statistics (the paper crosses before it and rescales each channel to the teacher's mean and std), and
# the regression terms (KL on the box distributions, weight 3, and GIoU on the decoded boxes, weight 2) are not in
# this config.
# Paper targets (full CrossKD, class and box terms): student 40.2 -> 43.7 box AP; this class-branch config was not
# run on COCO here (no GPU), so it has no measured result.
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
        dict(student_module='bbox_head.cls_convs.2', teacher_module='bbox_head.gfl_cls',
             methods=[dict(type='QualityFocalKDLoss', name='loss_crosskd_cls', beta=1.0, weight=1.0,
                           teacher_path=['bbox_head.cls_convs.3', 'bbox_head.gfl_cls'])]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
