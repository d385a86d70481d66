# CrossKD (Wang et al., CVPR 2024) on the Ultralytics Detect head: YOLOv8s teacher -> YOLOv8n student on the embedded
# digits data. At each of the three head levels and in both branches, the student's feature after the first of its
# two 3x3 convs (`model.22.cv3.<level>.0` for classes, `model.22.cv2.<level>.0` for boxes; 64 channels) goes through
# a 1x1 connector to the teacher's width (128) and then through the rest of the teacher's branch (its second conv
# and its prediction conv). The cross-head class logits mimic the teacher's with the quality-focal KD loss (beta 1,
# weight 1, the paper's class term); the cross-head box distributions (4 sides x 16 DFL bins) mimic the teacher's with
# softmax KD per side (the LD form of the paper's GFL box term, tau 1), at weight 0.25 as in this project's YOLO logit
# KD recipe, averaged over every position (the paper weights each position by the teacher's top class score and
# divides by the positive anchors). Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        *[dict(student_module=f'model.22.cv3.{level}.0', teacher_module=f'model.22.cv3.{level}.2',
               methods=[dict(type='QualityFocalKDLoss', name=f'ckdcls{level}_loss', beta=1.0, weight=1.0,
                             teacher_path=[f'model.22.cv3.{level}.1', f'model.22.cv3.{level}.2'])])
          for level in range(3)],
        *[dict(student_module=f'model.22.cv2.{level}.0', teacher_module=f'model.22.cv2.{level}.2',
               methods=[dict(type='KDLoss', name=f'ckdbox{level}_loss', tau=1.0, groups=4, weight=0.25,
                             teacher_path=[f'model.22.cv2.{level}.1', f'model.22.cv2.{level}.2'])])
          for level in range(3)],
    ])
