# CrossKD (Wang et al., CVPR 2024): ATSS R101 (1x) teacher -> ATSS R50 student, COCO, 1x schedule (the student's own
# mmdet schedule, dataset and runtime). The student's feature after its third of four convs in each branch
# (`bbox_head.cls_convs.2`, `bbox_head.reg_convs.2`, shared by the 5 FPN levels) goes through the teacher's fourth
# conv and prediction convs: class logits with the quality-focal KD loss (beta 1, weight 1), anchor deltas decoded
# with the head's coder (stds 0.1, 0.1, 0.2, 0.2) with 1 - GIoU weighted by the teacher's top class score (weight 1),
# and the centerness logit with the binary KD loss (the BCE to the teacher's centerness less its constant entropy,
# weight 1): the paper's weights and crossing (reused_teacher_head_idx=3). Differences from the paper: the crossing
# is after the ReLU without the per-channel rescaling; ATSS multiplies the deltas by a learned per-level `Scale` in
# `forward`, after the recorded `atss_reg` output, so both sides' boxes are compared before it (the scales start at 1
# and stay near it); the GIoU and centerness terms are normalised over the teacher's scores and all positions, not
# the student's positive anchors.
# Paper targets: student 39.4 -> 41.8 box AP; this config was not run on COCO here (no GPU), so it has no measured
# result.
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/atss/atss_r101_fpn_1x_coco/atss_r101_fpn_1x_20200825-dfcadd6f.pth
_base_ = ['mmdet::atss/atss_r50_fpn_1x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::atss/atss_r101_fpn_1x_coco.py',
    student_cfg='mmdet::atss/atss_r50_fpn_1x_coco.py',
    teacher_pretrained='pretrained_model/atss_r101_fpn_1x_20200825-dfcadd6f.pth',
    distill_cfg=[
        dict(student_module='bbox_head.cls_convs.2', teacher_module='bbox_head.atss_cls',
             methods=[dict(type='QualityFocalKDLoss', name='loss_crosskd_cls', beta=1.0, weight=1.0,
                           teacher_path=['bbox_head.cls_convs.3', 'bbox_head.atss_cls'])]),
        dict(student_module='bbox_head.reg_convs.2', teacher_module='bbox_head.atss_reg',
             methods=[dict(type='DeltaGIoUKDLoss', name='loss_crosskd_box', score_module='bbox_head.atss_cls',
                           target_stds=(0.1, 0.1, 0.2, 0.2), weight=1.0,
                           teacher_path=['bbox_head.reg_convs.3', 'bbox_head.atss_reg'])]),
        dict(student_module='bbox_head.reg_convs.2', teacher_module='bbox_head.atss_centerness',
             methods=[dict(type='BinaryKDLoss', name='loss_crosskd_centerness', tau=1.0, weight=1.0,
                           teacher_path=['bbox_head.reg_convs.3', 'bbox_head.atss_centerness'])]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
