# Step 2 of the compression workflow: sparse training (network slimming) of YOLOv8n on the digits data. An L1
# penalty on every BatchNorm scale (bn_sparsity * sign(gamma) added to its gradient) drives unimportant channels'
# scales to zero, so `tools/prune.py --criterion bn_scale` can remove them afterwards.
#   python tools/train.py configs/pruning/sparse_yolov8n_digits.py        # -> work_dirs/sparse_yolov8n_digits
#   python tools/prune.py work_dirs/sparse_yolov8n_digits/weights/best.pt --ratio 0.3 --imgsz 128 \
#       --out work_dirs/pruned/yolov8n_p30.pt
_base_ = ['../_base_/yolo/digits_detect.py']
model = dict(type='YOLOTraining', model='yolov8n.yaml', bn_sparsity=5e-4)
