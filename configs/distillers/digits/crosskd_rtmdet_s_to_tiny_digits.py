# CrossKD (Wang et al., CVPR 2024): RTMDet-s teacher -> RTMDet-tiny student on the embedded digits data. At each of
# the three levels and in both branches, the student's head feature after the first of its two convs
# (`bbox_head.cls_convs.<level>.0` / `reg_convs.<level>.0`) goes, through a 1x1 connector (96 -> 128 channels), into
# the rest of the teacher's branch (its second conv and `rtm_cls` / `rtm_reg`). The cross-head class logits mimic
# the teacher's with the quality-focal KD loss (beta 1, weight 1, the paper's); the cross-head box distances mimic
# the teacher's with GIoU, each position weighted by the teacher's top class score (weight 2, the paper's GIoU weight
# for GFL, whose losses RTMDet shares). The paper crosses before the last of four convs (reused_teacher_head_idx=3);
# RTMDet's branches have two. It aligns equal widths by per-channel statistics, where these widths differ and a
# learned connector is used. With one entry per level, each level's terms are normalised by that level's own soft
# object count and the levels summed (the paper divides all levels by one count), so the weights act more strongly
# here than in the paper. Teacher, student and training: configs/_base_/distillers/rtmdet_s_to_tiny_digits.py.
_base_ = ['../../_base_/distillers/rtmdet_s_to_tiny_digits.py']
model = dict(
    distill_cfg=[
        *[dict(student_module=f'bbox_head.cls_convs.{level}.0', teacher_module=f'bbox_head.rtm_cls.{level}',
               methods=[dict(type='QualityFocalKDLoss', name=f'loss_crosskd_cls_p{level + 3}', beta=1.0, weight=1.0,
                             teacher_path=[f'bbox_head.cls_convs.{level}.1', f'bbox_head.rtm_cls.{level}'])])
          for level in range(3)],
        *[dict(student_module=f'bbox_head.reg_convs.{level}.0', teacher_module=f'bbox_head.rtm_reg.{level}',
               methods=[dict(type='DistanceGIoUKDLoss', name=f'loss_crosskd_box_p{level + 3}', weight=2.0,
                             score_module=f'bbox_head.rtm_cls.{level}',
                             teacher_path=[f'bbox_head.reg_convs.{level}.1', f'bbox_head.rtm_reg.{level}'])])
          for level in range(3)],
    ])
