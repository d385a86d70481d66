# The YOLOv8 KD recipe's logit loss: for each head level, the mean squared error between the student's and the
# teacher's raw output map, summed over the three levels, weight 0.25. YOLOv8s teacher -> YOLOv8n student on the
# digits data. Teacher: see cwd_yolov8s_to_yolov8n_digits.py.
# How it is expressed exactly: the recipe's per-level output is the Detect head's raw map of level i,
# cat(cv2[i](x_i), cv3[i](x_i)) with 4 * reg_max box channels and nc class channels (what YOLOv8's Detect returned
# per level in training). Current Ultralytics returns the levels concatenated per branch instead ('boxes', 'scores'
# of model.22), and LogitMSELoss on model.22 would average over all anchors (or, given levels, average the levels),
# which is neither a sum over levels nor the per-level mean. So each level's two branches are recorded on their own
# (model.22.cv2.<i> and model.22.cv3.<i>, one output each) with LogitMSELoss, and the mean over the concatenated
# map is rebuilt from them: mse(cat(box, cls)) = (4 * reg_max * mse(box) + nc * mse(cls)) / (4 * reg_max + nc).
# Hence the two weights below; the six entries add up to 0.25 * sum over levels of the per-level MSE (tested against
# that formula in tests/configs/test_recipe_configs.py). NC must be the dataset's class count (10 digits).
# Ultralytics adds the distillation total times the batch size, like its own batch-summed losses.
_base_ = ['../../_base_/yolo/digits_detect.py']
NC = 10
REG_MAX = 16
NO = 4 * REG_MAX + NC  # channels of one level's raw output
WEIGHT = 0.25
model = dict(
    type='YOLODistiller',
    student='yolov8n.yaml',
    teacher='pretrained_model/yolov8s_digits.pt',
    distill_cfg=[
        dict(student_module=f'model.22.{branch}.{level}', teacher_module=f'model.22.{branch}.{level}',
             methods=[dict(type='LogitMSELoss', name=f'{short}{level}_loss', weight=WEIGHT * width / NO)])
        for level in range(3)
        for branch, short, width in (('cv2', 'lbox', 4 * REG_MAX), ('cv3', 'lcls', NC))
    ])
