# CrossKD (Wang et al., CVPR 2024), classification branch, on the Ultralytics Detect head: YOLOv8s teacher -> YOLOv8n
# student on the embedded digits data. At each of the three head levels, the student's class-branch feature after
# the first of its two 3x3 convs (`model.22.cv3.<level>.0`, 64 channels) goes through a 1x1 connector to the teacher's
# width (128) and then through the rest of the teacher's class branch (its second conv and the class prediction
# conv); that cross-head prediction mimics the teacher's class logits with the quality-focal KD loss (beta 1,
# weight 1, the paper's). The box branch (cv2, DFL) is not distilled here. Teacher: see
# cwd_yolov8s_to_yolov8n_digits.py.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module=f'model.22.cv3.{level}.0', teacher_module=f'model.22.cv3.{level}.2',
             methods=[dict(type='QualityFocalKDLoss', name=f'ckd{level}_loss', beta=1.0, weight=1.0,
                           teacher_path=[f'model.22.cv3.{level}.1', f'model.22.cv3.{level}.2'])])
        for level in range(3)
    ])
