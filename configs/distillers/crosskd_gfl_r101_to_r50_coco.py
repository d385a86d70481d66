# CrossKD (Wang et al., CVPR 2024): GFL R101 (ms, 2x) teacher -> GFL R50 student, COCO, 1x schedule (the student's
# own mmdet schedule, dataset and runtime). In each branch the student's feature after its third of four convs
# (`bbox_head.cls_convs.2` / `reg_convs.2`, shared by the 5 FPN levels: every call is paired in order) goes through
# the teacher's fourth conv and prediction conv, as the paper's config (reused_teacher_head_idx=3). The cross-head
# class logits mimic the teacher's with the quality-focal KD loss (beta 1, weight 1); the cross-head box
# distributions (4 sides x 17 bins) mimic the teacher's with softmax KD per side (the paper's KL term, T 1, weight 3).
# Both heads are 256 wide, so no connector. Differences from the paper: the crossing is after the activation and the
# student feature keeps its own statistics (the paper crosses before it and rescales each channel to the teacher's
# mean and std); the box distributions are compared before GFL's per-level `Scale`, averaged over every position
# (the paper weights each by the teacher's top class score and divides by the positive anchors); the GIoU term on
# the decoded boxes (weight 2) is not in this config.
# Paper targets (full CrossKD): student 40.2 -> 43.7 box AP; this config was not run on COCO here (no GPU), so it has
# no measured result.
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
        dict(student_module='bbox_head.reg_convs.2', teacher_module='bbox_head.gfl_reg',
             methods=[dict(type='KDLoss', name='loss_crosskd_box', tau=1.0, groups=4, weight=3.0,
                           teacher_path=['bbox_head.reg_convs.3', 'bbox_head.gfl_reg'])]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
