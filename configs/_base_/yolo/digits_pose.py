# Ultralytics train arguments for the embedded digits data (pose: box corners and centre as keypoints), sized for a
# CPU. Generate the data first: `python tools/generate_data.py`. Digits are not mirror-symmetric, hence fliplr=0.0.
train_args = dict(
    data='data/digits/yolo/pose/digits-pose.yaml', epochs=30, imgsz=128, batch=16, device='cpu', workers=2,
    fliplr=0.0, close_mosaic=10, plots=False, seed=0, deterministic=True)
runner_type = 'YOLORunner'  # Ultralytics' trainer and validator, not the mmengine Runner
