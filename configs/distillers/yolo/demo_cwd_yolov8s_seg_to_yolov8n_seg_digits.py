# The default pipeline of `make demo` (tools/demo.py): CWD on the head levels plus MSE on the mask coefficients,
# YOLOv8s-seg teacher -> YOLOv8n-seg student on the embedded digits data, 20 epochs each at 128 px, sized so that the
# whole demo (teacher, plain student, distilled student) fits in about 15 minutes on 2 CPU cores. The demo trains the
# teacher with `teacher_train` when its checkpoint is missing and keeps it for the next run.
_base_ = ['./cwd_yolov8s_seg_to_yolov8n_seg_digits.py']
model = dict(teacher='pretrained_model/yolov8s_seg_digits_demo.pt')
train_args = dict(epochs=20, close_mosaic=5)
teacher_train = dict(model='yolov8s-seg.yaml', epochs=20)
