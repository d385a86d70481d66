# FGD balanced to a fifth of the detection loss: the FGD config (fgd_yolov8s_to_yolov8n_digits.py: the YOLOX setting
# of the FGD authors, on the three levels the Detect head reads) with its weight fixed after 20 iterations so that
# FGD is 0.2 times Ultralytics' task loss, each level an equal share (an entry without module names expands to those
# levels). At the YOLOX weights it was 0.7-11 times the task loss on this data, with spikes (the efficacy runs'
# results.csv); CWD, the method that helps on this suite, runs at 0.15-0.23 of it.
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='FGDLoss', name='fgd_loss', temp=0.5, alpha_fgd=2e-3, beta_fgd=1e-3,
                                    gamma_fgd=1e-3, lambda_fgd=1e-5, balance=dict(ratio=0.2, iters=20))])])
