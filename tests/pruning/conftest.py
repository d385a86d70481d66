"""Fixtures of the compression tests: tiny YOLO data, an unpruned YOLOv8n 'teacher' checkpoint and its pruned copy."""
from pathlib import Path

import pytest

from tests.helpers.yolo_helpers import YAMLS, make_data, save_teacher


@pytest.fixture(scope='session')
def yolo_detect_data(tmp_path_factory) -> Path:
    """Data yaml of the tiny digits detection set (8 train / 4 val images of 64 px)."""
    return make_data(tmp_path_factory.mktemp('prune_digits')) / YAMLS['detect']


@pytest.fixture(scope='session')
def yolov8n_ckpt(yolo_detect_data, tmp_path_factory) -> Path:
    """An Ultralytics checkpoint of YOLOv8n (random weights, the dataset's 10 classes): the unpruned model."""
    return save_teacher('yolov8n.yaml', yolo_detect_data, tmp_path_factory.mktemp('prune_ckpt') / 'yolov8n.pt')


@pytest.fixture(scope='session')
def pruned_yolov8n(yolov8n_ckpt) -> Path:
    """``yolov8n_ckpt`` pruned by 30 % per layer (magnitude) and saved as an Ultralytics checkpoint."""
    from distiller.pruning import PruneSettings
    from distiller.yolo.pruning import load_yolo_model, prune_yolo_model, save_yolo_checkpoint
    model = load_yolo_model(yolov8n_ckpt)
    prune_yolo_model(model, PruneSettings(ratio=0.3, criterion='magnitude'), imgsz=64)
    return save_yolo_checkpoint(model, yolov8n_ckpt.parent / 'yolov8n_pruned.pt')
