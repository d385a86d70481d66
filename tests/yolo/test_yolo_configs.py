"""Every YOLO config in configs/distillers/yolo builds and trains one short epoch on the tiny data."""
from pathlib import Path

import pytest

from distiller.registry import YOLO_RUNS
from distiller.utils import load_config

from tests.helpers.yolo_helpers import YAMLS, train_args

pytestmark = pytest.mark.slow
CONFIGS = sorted((Path(__file__).resolve().parents[2] / 'configs' / 'distillers' / 'yolo').glob('*.py'))


def _task(student: str) -> str:
    return 'segment' if '-seg' in student else 'pose' if '-pose' in student else 'detect'


def test_every_task_and_family_has_a_config():
    names = [c.name for c in CONFIGS]
    assert any('seg' in n for n in names) and any('pose' in n for n in names) and any('yolo11' in n for n in names)


@pytest.mark.parametrize('config', CONFIGS, ids=[c.stem for c in CONFIGS])
def test_config_trains_one_epoch(config, yolo_data, teachers, tmp_path):
    cfg = load_config(str(config))
    assert cfg.model.type == 'YOLODistiller' and cfg.train_args.data.startswith('data/digits/yolo/')
    task = _task(cfg.model.student)
    assert cfg.train_args.data.split('/')[3] == task
    if cfg.model.teacher.endswith('.pt'):
        cfg.model.teacher = str(teachers[task])
    args = train_args(yolo_data / YAMLS[task], **{k: v for k, v in cfg.train_args.items()
                                                  if k in ('fliplr', 'close_mosaic', 'deterministic')})
    metrics = YOLO_RUNS.build(cfg.model).train(args, save_dir=str(tmp_path / 'run'))
    assert any(key.startswith('metrics/mAP50-95') for key in metrics.results_dict)
