"""Weights-only checkpoint loading: mmengine's checkpoints load, pickled code is refused and never runs."""
import os
from pathlib import Path

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint

from distiller.compat import UnsafeCheckpointError, load_checkpoint_weights_only


class _Payload:
    """Unpickling this calls ``Path.touch`` on the marker: the file appears only if the payload ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _evil_checkpoint(tmp_path: Path, legacy: bool = False):
    marker = tmp_path / 'payload_ran'
    path = tmp_path / ('evil_legacy.pth' if legacy else 'evil.pth')
    ckpt = {'state_dict': {'w': torch.ones(2)}, 'meta': {'hook': _Payload(marker)}}
    torch.save(ckpt, path, _use_new_zipfile_serialization=not legacy)
    assert not marker.exists()
    return path, marker


@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
def test_pickled_code_is_refused_and_not_run(tmp_path: Path, legacy: bool) -> None:
    path, marker = _evil_checkpoint(tmp_path, legacy)
    with pytest.raises(UnsafeCheckpointError, match=r'refused to load checkpoint .*evil.*(Path|touch|pathlib)'):
        load_checkpoint_weights_only(str(path))
    assert not marker.exists()


def test_mmengine_loaders_refuse_pickled_code(tmp_path: Path) -> None:
    path, marker = _evil_checkpoint(tmp_path)
    with pytest.raises(UnsafeCheckpointError, match='weights-only loading does not allow'):
        _load_checkpoint(str(path), map_location='cpu')
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(torch.nn.Linear(2, 2), str(path))
    assert not marker.exists()


def test_mmengine_runner_checkpoint_contents_load(tmp_path: Path) -> None:
    buffer = HistoryBuffer()
    for value in (1.0, 2.5, 4.0):
        buffer.update(value)
    import numpy as np
    ckpt = {
        'meta': {'epoch': 1, 'seed': np.int64(3), 'lr': np.float64(0.1)},
        'state_dict': {'w': torch.arange(3.0)},
        'message_hub': {'log_scalars': {'train/loss': buffer}, 'runtime_info': {'arr': np.arange(4)}},
    }
    path = tmp_path / 'runner.pth'
    torch.save(ckpt, path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    assert loaded['message_hub']['log_scalars']['train/loss'].mean() == pytest.approx(2.5)
    assert loaded['meta']['seed'] == 3
    np.testing.assert_array_equal(loaded['message_hub']['runtime_info']['arr'], np.arange(4))


def test_missing_checkpoint_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match=f'checkpoint file not found: {missing}'):
        load_checkpoint_weights_only(str(missing))


def test_refused_on_resume_through_train_tool(tmp_path: Path) -> None:
    """``tools/train.py --resume evil.pth`` stops with the refusal; the payload does not run."""
    import subprocess
    import sys

    from mmengine.config import Config

    from tests.helpers.toy_runner_modules import toy_config
    repo = Path(__file__).resolve().parents[2]

    path, marker = _evil_checkpoint(tmp_path)
    cfg_path = tmp_path / 'toy.py'
    Config(toy_config(str(tmp_path / 'work'), max_epochs=1)).dump(str(cfg_path))
    env = dict(os.environ, PYTHONPATH=str(repo))
    proc = subprocess.run([sys.executable, str(repo / 'tools' / 'train.py'), str(cfg_path), '--resume', str(path)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert 'UnsafeCheckpointError' in proc.stderr and 'refused to load checkpoint' in proc.stderr
    assert not marker.exists()


class _GetattrPayload:
    """Pickles as ``getattr(HistoryBuffer, '__init__')``: a lookup outside the statistics methods."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_is_limited_to_history_buffer_statistics(tmp_path: Path) -> None:
    path = tmp_path / 'getattr.pth'
    torch.save({'x': _GetattrPayload()}, path)
    with pytest.raises(UnsafeCheckpointError, match=r"getattr\(.*HistoryBuffer.*'__init__'\) is not allowed"):
        load_checkpoint_weights_only(str(path))
