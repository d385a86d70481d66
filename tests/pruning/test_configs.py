"""The example configs of the compression workflow load and name registered types."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import OPTIM_WRAPPERS

from distiller.registry import DISTILLERS, YOLO_RUNS, register_all_modules
from distiller.yolo import is_yolo_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / 'configs' / 'pruning').glob('*.py'))


def test_the_folder_has_configs() -> None:
    assert len(CONFIGS) == 7


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_loads_with_registered_types(path: Path) -> None:
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(str(path))
    registry = YOLO_RUNS if is_yolo_config(cfg) else DISTILLERS
    assert registry.get(cfg.model['type']) is not None or cfg.model['type'] == 'EncoderDecoder'
    assert is_yolo_config(cfg) == path.stem.endswith(('yolov8n_digits', ))
    if 'optim_wrapper' in cfg and 'type' in cfg.optim_wrapper:
        assert OPTIM_WRAPPERS.get(cfg.optim_wrapper['type']) is not None
    if 'student_pruned' in cfg.model:
        assert cfg.model['student_pruned'].endswith('.pth') and cfg.model['teacher_pretrained']
