# The YOLOv7 FGD recipe, on YOLOv8: FGD (Yang et al., Focal and Global Knowledge Distillation for Detectors,
# CVPR 2022) between feature layers named by two separate lists, one for the student and one for the teacher (the
# YOLOv7 recipe returns the outputs of the listed layer indices of each model and pairs them in order), so that two
# models of different depth or layout can be paired layer by layer. Here YOLOv8s -> YOLOv8n on the digits data, the
# three neck outputs the Detect head reads on both (model.15/18/21). FGD's foreground/background masks come from the
# ground-truth boxes of the Ultralytics batch (the distiller converts them to pixel x1y1x2y2 per image); its own 1x1
# align conv lifts the student's 64/128/256 channels to the teacher's 128/256/512.
# Settings: the FGD authors' YOLOX setting (yzd-v/FGD configs/distillers/fgd/fgd_yoloxl_distill_yoloxm_coco.py:
# temp 0.5, alpha 2e-3, beta 1e-3, gamma 1e-3, lambda 1e-5), their closest YOLO-family one. Teacher: see
# cwd_yolov8s_to_yolov8n_digits.py.
#   python tools/train.py configs/distillers/yolo/fgd_yolov8s_to_yolov8n_digits.py
_base_ = ['../../_base_/yolo/digits_detect.py']
STUDENT_LAYERS = [15, 18, 21]
TEACHER_LAYERS = [15, 18, 21]
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module=f'model.{s}', teacher_module=f'model.{t}',
             methods=[dict(type='FGDLoss', name=f'fgd{s}_loss', temp=0.5, alpha_fgd=2e-3, beta_fgd=1e-3,
                           gamma_fgd=1e-3, lambda_fgd=1e-5)])
        for s, t in zip(STUDENT_LAYERS, TEACHER_LAYERS)
    ])
