# The detectron2 RepDistiller-zoo form on an mmdet detector: one zoo loss on every FPN level of RetinaNet (P3-P7, the
# neck's five outputs taken whole), the per-level losses averaged (level_reduction='mean': the zoo's `loss / 5`).
# Here AT (attention transfer, Zagoruyko & Komodakis, ICLR 2017) with RepDistiller's settings, p=2 and weight
# (beta) 1000: RetinaNet R50-FPN teacher -> RetinaNet R18-FPN student on the embedded digits data; data, schedule and
# recipe are the student's (configs/students/retinanet_r18_fpn_digits.py).
# Other zoo losses run by swapping `type` (and their own arguments): see docs/recipes.md for which do as they are.
# Teacher: `python tools/train.py configs/teachers/retinanet_r50_fpn_digits.py`, last checkpoint copied to
# pretrained_model/retinanet_r50_fpn_digits.pth (commands in that config).
#   python tools/train.py configs/distillers/digits/at_retinanet_r50_to_r18_fpn_digits.py
_base_ = ['../../students/retinanet_r18_fpn_digits.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='DetectionDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/retinanet_r50_fpn_digits.py',
    student_cfg='{{fileDirname}}/../../students/retinanet_r18_fpn_digits.py',
    teacher_pretrained='pretrained_model/retinanet_r50_fpn_digits.pth',
    distill_cfg=[
        dict(student_module='neck', teacher_module='neck',
             methods=[dict(type='ATLoss', name='loss_at_fpn', p=2.0, weight=1000.0, level_reduction='mean')]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
