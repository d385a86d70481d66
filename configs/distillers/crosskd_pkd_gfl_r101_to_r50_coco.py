# CrossKD + PKD: the CrossKD config (crosskd_gfl_r101_to_r50_coco.py) plus PKD (Cao et al., NeurIPS 2022)
# on the five FPN outputs, weight 6 (the PKD weight of the CrossKD authors' feature-distillation config), GFL R101 ->
# GFL R50 on COCO. Paper target (full CrossKD + PKD): 43.9 box AP (student 40.2). Not run on COCO here (no GPU).
_base_ = ['./crosskd_gfl_r101_to_r50_coco.py']
model = dict(
    distill_cfg=[
        *_base_.model.distill_cfg,
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='PKDLoss', name='loss_pkd_fpn', weight=6.0)]),
    ])
