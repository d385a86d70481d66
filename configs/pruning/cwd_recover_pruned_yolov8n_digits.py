# Step 4 of the compression workflow: recover the accuracy of a pruned YOLOv8n by distilling it from its unpruned
# self (the sparse-trained checkpoint it was pruned from). The pruned student trains in its pruned shape (it is not
# rebuilt from its yaml); CWD pairs the three levels the Detect head reads, with 1x1 connectors where pruning changed
# the channel counts.
#   python tools/train.py configs/pruning/cwd_recover_pruned_yolov8n_digits.py
#   python tools/analysis/compare.py work_dirs/sparse_yolov8n_digits/weights/best.pt work_dirs/pruned/yolov8n_p30.pt \
#       work_dirs/cwd_recover_pruned_yolov8n_digits/weights/best.pt --labels sparse pruned recovered \
#       --data data/digits/yolo/detect/digits.yaml --imgsz 128
_base_ = ['../_base_/yolo/digits_detect.py']
model = dict(
    type='YOLODistiller',
    student='work_dirs/pruned/yolov8n_p30.pt',
    teacher='work_dirs/sparse_yolov8n_digits/weights/best.pt',
    distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)])])
