"""Fixtures of the YOLO tests: the tiny data and saved teachers, built once per session."""
from pathlib import Path

import pytest

from tests.helpers.yolo_helpers import SUFFIX, YAMLS, make_data, save_teacher


@pytest.fixture(scope='session')
def yolo_data(tmp_path_factory) -> Path:
    """Root of the YOLO-format tiny digits data (``detect/``, ``segment/``, ``pose/``)."""
    return make_data(tmp_path_factory.mktemp('digits'))


@pytest.fixture(scope='session')
def teachers(yolo_data, tmp_path_factory) -> dict:
    """Saved YOLOv8s teacher checkpoints per task (random weights, the dataset's classes)."""
    root = tmp_path_factory.mktemp('teachers')
    return {task: save_teacher(f'yolov8s{SUFFIX[task]}.yaml', yolo_data / YAMLS[task], root / f'{task}.pt')
            for task in YAMLS}
