"""A run killed after epoch 1 and resumed with ``tools/train.py --resume`` ends with the uninterrupted run's weights."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from tests.helpers.toy_runner_modules import toy_config


REPO = Path(__file__).resolve().parents[2]


def _train(config: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(REPO / 'tools' / 'train.py'), str(config), *extra],
                          env=env, capture_output=True, text=True, timeout=300)


def _write_config(path: Path, cfg: dict) -> Path:
    Config(cfg).dump(str(path))
    return path


def _final_state(work_dir: Path) -> dict:
    ckpt = torch.load(work_dir / 'epoch_2.pth', map_location='cpu', weights_only=True)
    return ckpt


@pytest.mark.slow
def test_killed_run_resumes_to_same_weights(tmp_path: Path) -> None:
    full_dir = tmp_path / 'full'
    full = _train(_write_config(tmp_path / 'full.py', toy_config(str(full_dir), max_epochs=2)))
    assert full.returncode == 0, full.stderr[-3000:]

    cut_dir = tmp_path / 'cut'
    killed_cfg = toy_config(str(cut_dir), max_epochs=2, extra_hooks=[dict(type='HardExitHook', after_epoch=1)])
    killed = _train(_write_config(tmp_path / 'killed.py', killed_cfg))
    assert killed.returncode == 3, killed.stderr[-3000:]
    assert (cut_dir / 'epoch_1.pth').exists() and not (cut_dir / 'epoch_2.pth').exists()

    resumed = _train(_write_config(tmp_path / 'resume.py', toy_config(str(cut_dir), max_epochs=2)), '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f'Loads checkpoint by local_weights_only backend from path: {cut_dir / "epoch_1.pth"}' in resumed.stdout

    expected, got = _final_state(full_dir), _final_state(cut_dir)
    assert got['meta']['epoch'] == expected['meta']['epoch'] == 2
    assert expected['state_dict'].keys() == got['state_dict'].keys()
    for key, value in expected['state_dict'].items():
        torch.testing.assert_close(got['state_dict'][key], value, rtol=0, atol=0, msg=key)
    momentum = [s['momentum_buffer'] for s in got['optimizer']['state'].values()]
    momentum_ref = [s['momentum_buffer'] for s in expected['optimizer']['state'].values()]
    for buf, ref in zip(momentum, momentum_ref):
        torch.testing.assert_close(buf, ref, rtol=0, atol=0)
    assert got['param_schedulers'] == expected['param_schedulers']
