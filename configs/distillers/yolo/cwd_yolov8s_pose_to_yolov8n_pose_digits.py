# Pose: CWD on the Pose head's inputs plus MSE on its keypoint outputs, YOLOv8s-pose -> YOLOv8n-pose on the digits
# data (5 keypoints per digit: box corners and centre). Teacher: `yolo train model=yolov8s-pose.yaml
# data=data/digits/yolo/pose/digits-pose.yaml imgsz=128 epochs=60 fliplr=0`, best.pt copied to
# pretrained_model/yolov8s_pose_digits.pt.
_base_ = ['../../_base_/yolo/digits_pose.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n-pose.yaml',
    teacher='pretrained_model/yolov8s_pose_digits.pt',
    distill_cfg=[
        dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)]),
        dict(student_module='model.22', teacher_module='model.22', index='kpts',
             methods=[dict(type='LogitMSELoss', name='kpts_loss', weight=0.5)]),
    ])
