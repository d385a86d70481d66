# MGD balanced to a fifth of the detection loss: the MGD config (mgd_yolov8s_to_yolov8n_digits.py) with its weight
# fixed after 20 iterations so that MGD is 0.2 times Ultralytics' task loss, each of the three levels an equal share.
# At the paper's alpha_mgd=2e-5 it is 0.02-0.06 of the task loss on this data; CWD, the method that helps on this
# suite, runs at 0.15-0.23 of it (the efficacy runs' results.csv).
_base_ = ['../../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[dict(methods=[dict(type='MGDLoss', name='mgd_loss', alpha_mgd=2e-5, lambda_mgd=0.65,
                                    balance=dict(ratio=0.2, iters=20))])])
