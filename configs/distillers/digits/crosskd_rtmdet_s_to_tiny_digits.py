# CrossKD (Wang et al., CVPR 2024), classification branch: RTMDet-s teacher -> RTMDet-tiny student on the embedded
# digits data. At each of the three levels, the student's head feature after the first of its two class convs goes,
# through a 1x1 connector (96 -> 128 channels), into the rest of the teacher's class branch (its second conv and
# rtm_cls); that cross-head prediction mimics the teacher's own class scores with the quality-focal KD loss (beta 1,
# weight 1, the paper's). The paper crosses before the last of four convs (reused_teacher_head_idx=3); RTMDet's
# branches have two. It aligns equal widths by per-channel statistics, where these widths differ and a learned
# connector is used. The regression branch (GIoU on the cross-head boxes, weighted by the teacher's top class score)
# is not distilled here. Teacher, student and training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module=f'bbox_head.cls_convs.{level}.0', teacher_module=f'bbox_head.rtm_cls.{level}',
             methods=[dict(type='QualityFocalKDLoss', name=f'loss_crosskd_cls_p{level + 3}', beta=1.0, weight=1.0,
                           teacher_path=[f'bbox_head.cls_convs.{level}.1', f'bbox_head.rtm_cls.{level}'])])
        for level in range(3)
    ])
