"""Multi-GPU YOLO distillation goes through Ultralytics' own launcher (#22): the file it generates for each worker
rebuilds our trainer (teacher, distill_cfg, settings) and trains. Here it runs as one CPU process; the two-process
synchronisation of the connectors is tested in tests/core/test_ddp_sync.py."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from distiller.yolo import YOLODistillSettings, build_distill_trainer
from distiller.yolo.safe_checkpoint import with_safe_loading
from distiller.yolo.trainer import STATE_FILE
from tests.helpers.yolo_helpers import CWD_ALL_LEVELS, YAMLS, train_args

pytestmark = pytest.mark.slow


def test_the_generated_ddp_worker_rebuilds_the_distillation_trainer_and_trains(yolo_data, teachers, tmp_path):
    from ultralytics.models.yolo.detect import DetectionTrainer
    from ultralytics.utils.dist import generate_ddp_file
    settings = YOLODistillSettings(str(teachers['detect']), CWD_ALL_LEVELS)
    trainer_cls = with_safe_loading(build_distill_trainer(DetectionTrainer, settings), False)
    save_dir = tmp_path / 'run'
    trainer = trainer_cls(overrides=dict(train_args(yolo_data / YAMLS['detect']), model='yolov8n.yaml',
                                         save_dir=str(save_dir)))
    script = Path(generate_ddp_file(trainer))
    state_file = script.with_suffix('.pt')
    try:
        pickled = torch.load(state_file, map_location='cpu', weights_only=False)  # written by this test just now
        assert pickled['trainer'].distill_settings == settings
        env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=os.pathsep.join(sys.path))
        proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=600)
    finally:
        script.unlink(missing_ok=True)
        state_file.unlink(missing_ok=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert (save_dir / 'weights' / 'best.pt').is_file()
    state = torch.load(save_dir / 'weights' / STATE_FILE, map_location='cpu', weights_only=True)
    widths = sorted(tuple(v.shape[:2]) for k, v in state['distill_losses'].items() if k.endswith('conv.weight'))
    assert widths == [(128, 64), (256, 128), (512, 256)]  # YOLOv8n levels aligned to YOLOv8s, one per level
