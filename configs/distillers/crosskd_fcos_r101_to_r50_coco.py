# CrossKD (Wang et al., CVPR 2024): FCOS R101-caffe (multi-scale 2x) teacher -> FCOS R50-caffe student, COCO, the
# student's own mmdet multi-scale 2x schedule, dataset and runtime. The student's feature after its second of four
# convs in each branch (`bbox_head.cls_convs.1`, `bbox_head.reg_convs.1`, shared by the 5 FPN levels) goes through the
# teacher's third and fourth convs and prediction conv, as the paper's FCOS config (reused_teacher_head_idx=2): class
# logits with the quality-focal KD loss (beta 1, weight 0.4), and the log-distances of `conv_reg` (this FCOS applies
# `exp` in `forward`: `log_distances=True`) with 1 - GIoU weighted by the teacher's top class score (weight 0.75).
# Differences from the paper: its box term is the IoU loss (-log IoU), not 1 - GIoU; the crossing is after the
# activation without the per-channel rescaling; FCOS multiplies by a learned per-level `Scale` before the `exp`, in
# `forward`, after the recorded output, so both sides' boxes are compared without it; the box term is normalised by
# the teacher's summed scores, not the student's positive points.
# Paper targets: student 38.5 -> 41.1 box AP; this config was not run on COCO here (no GPU), so it has no measured
# result.
# Teacher checkpoint (mmdet model zoo), download into pretrained_model/:
# https://download.openmmlab.com/mmdetection/v2.0/fcos/fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco/fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco-511424d6.pth  # noqa: E501
_base_ = ['mmdet::fcos/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='mmdet::fcos/fcos_r101-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
    student_cfg='mmdet::fcos/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
    teacher_pretrained='pretrained_model/fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco-511424d6.pth',
    distill_cfg=[
        dict(student_module='bbox_head.cls_convs.1', teacher_module='bbox_head.conv_cls',
             methods=[dict(type='QualityFocalKDLoss', name='loss_crosskd_cls', beta=1.0, weight=0.4,
                           teacher_path=['bbox_head.cls_convs.2', 'bbox_head.cls_convs.3', 'bbox_head.conv_cls'])]),
        dict(student_module='bbox_head.reg_convs.1', teacher_module='bbox_head.conv_reg',
             methods=[dict(type='DistanceGIoUKDLoss', name='loss_crosskd_box', score_module='bbox_head.conv_cls',
                           log_distances=True, weight=0.75,
                           teacher_path=['bbox_head.reg_convs.2', 'bbox_head.reg_convs.3', 'bbox_head.conv_reg'])]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
