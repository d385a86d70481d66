# The YOLOv8 pruned-student MGD recovery recipe (jasonDasuantou/yolov8_distillation: ultralytics/engine/trainer.py,
# `loss_type='mgd'`): recover a pruned YOLOv8n by MGD from its unpruned self, on the cv2 (output conv) of layers 6, 8,
# 12, 15, 18 and 21 (`model.<i>.cv2`: the C2f blocks of the backbone's P4/P5 stages and of the whole neck; a C2f's cv2
# output is the block's output). As in the recipe:
# - normalize=True: a BatchNorm without affine parameters on both sides, the student's at its own width (MGD maps
#   the masked student to the teacher's channels itself);
# - MGD with alpha_mgd=2e-5, lambda_mgd=0.65;
# - the weight restarts a cosine every epoch: ((1 - cos(i * pi / n)) / 2) * (0.1 - 1) + 1, i the batch inside the
#   epoch, n the batches per epoch (CosineDecay per_epoch=True);
# - 0.3 on the summed MGD losses (the recipe's weight for every loss but CWD). The recipe adds its term as it is to
#   Ultralytics' loss, which is summed over the batch (mean x batch size); this framework multiplies the
#   distillation total by the batch size like Ultralytics' own losses, so the same term is weight 0.3 / batch.
#   Keep BATCH equal to train_args.batch when you change the batch size.
# What differs (not expressible here, by design): the recipe builds its MGD generators after the optimizer and never
# adds them to it, so they stay at their random initialisation; here they train with the student. Where pruning
# changed the widths, the recipe's generator maps student to teacher channels in its first 3x3 conv; MGDLoss puts a
# 1x1 align conv first. (The recipe's teacher, loaded by YOLO(...), is in eval mode and gets no gradient, as here.)
# Alternatives of the recipe: mgd_recover_pruned_3layers_yolov8n_digits.py (layers 15, 18, 21) and
# mgd_recover_pruned_2to21_yolov8n_digits.py (every layer 2..21 that has a cv2).
# The student is the pruned checkpoint of the compression workflow (docs/compression.md, steps 1-3), the teacher the
# sparse-trained checkpoint it was pruned from:
#   python tools/train.py configs/pruning/mgd_recover_pruned_yolov8n_digits.py
_base_ = ['../_base_/yolo/digits_detect.py']
BATCH = 16
LAYERS = [6, 8, 12, 15, 18, 21]
train_args = dict(batch=BATCH)
MGD_METHOD = dict(type='MGDLoss', alpha_mgd=2e-5, lambda_mgd=0.65, normalize=True, weight=0.3 / BATCH,
                  schedule=dict(type='CosineDecay', start=1.0, end=0.1, per_epoch=True))
model = dict(
    type='YOLODistiller',
    student='work_dirs/pruned/yolov8n_p30.pt',
    teacher='work_dirs/sparse_yolov8n_digits/weights/best.pt',
    distill_cfg=[
        dict(student_module=f'model.{i}.cv2', teacher_module=f'model.{i}.cv2',
             methods=[dict(MGD_METHOD, name=f'mgd{i}_loss')])
        for i in LAYERS
    ])
