"""Two-process CPU training (gloo) of the segmentation distiller through ``bash tools/dist_train.sh CONFIG 2``: DDP
keeps the student identical on both ranks, without ``find_unused_parameters``.

Each rank saves its own student at the end (``DumpRankStudentHook`` from ``kd_runner_helpers``); parameters must agree
bit for bit (gradients are all-reduced), while BatchNorm statistics must differ (mmengine wraps with
``broadcast_buffers=False`` and each rank saw its own half of the data, which shows the data really was split).
The default ``find_unused_parameters=False`` is kept: DDP would then fail at the second iteration if any trained
parameter got no gradient, so four iterations passing shows none is unused (the frozen teacher has
``requires_grad=False`` and is skipped by DDP; its early stop removes no trained parameter from the graph).
"""
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from tests.helpers.kd_runner_helpers import (REPO, load, make_digits, subprocess_env, tail, write_config,
                                             write_seg_configs)

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def setup(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp('dist_kd')
    configs = write_seg_configs(root / 'configs', make_digits(root / 'data'))
    plain = write_config(root / 'configs' / 'dist_plain.py', f"""
_base_ = [{str(configs['distiller'])!r}]
custom_hooks = [dict(type='StudentCheckpointHook'), dict(type='DumpRankStudentHook')]
""")
    return SimpleNamespace(root=root, plain=plain)


def dist_train(config: Path, work_dir: Path) -> subprocess.CompletedProcess:
    """``bash tools/dist_train.sh CONFIG 2`` as the README writes it, with no virtual environment active and only the
    system directories on PATH: the script must find the repository's ``.venv`` by itself."""
    if Path(sys.prefix).resolve() != (REPO / '.venv').resolve():
        pytest.skip('the tests do not run from the repository .venv that the script looks for')
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in subprocess_env().items() if k not in ('VIRTUAL_ENV', 'KD_PYTHON')}
    env.update(PATH='/usr/local/bin:/usr/bin:/bin', PORT=str(port))
    cmd = ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(config), '2', '--work-dir', str(work_dir),
           '--cfg-options', 'env_cfg.dist_cfg.backend=gloo']
    return subprocess.run(cmd, cwd=str(REPO), env=env, capture_output=True, text=True, timeout=400)


def check_ranks_agree(proc: subprocess.CompletedProcess, work_dir: Path) -> None:
    assert proc.returncode == 0, tail(proc)
    assert 'find_unused_parameters' not in next(work_dir.glob('*.py')).read_text()  # the config mmengine dumped
    last = re.findall(r'Iter\(train\) \[4/4\].*', proc.stdout + proc.stderr)
    assert last and 'nan' not in last[-1] and 'loss_cwd' in last[-1] and 'loss_mimic' in last[-1], tail(proc)
    rank0, rank1 = load(work_dir / 'rank0_student.pth'), load(work_dir / 'rank1_student.pth')
    assert rank0['wrapper'] == rank1['wrapper'] == 'MMDistributedDataParallel'
    assert rank0['params'].keys() == rank1['params'].keys()
    for key, value in rank0['params'].items():
        assert torch.equal(value, rank1['params'][key]), f'{key} differs between the ranks'
    running = [k for k in rank0['buffers'] if k.endswith('running_mean')]
    assert any(not torch.equal(rank0['buffers'][k], rank1['buffers'][k]) for k in running), \
        'both ranks saw the same data'
    final = load(work_dir / 'student_final.pth')['state_dict']
    for key, value in rank0['params'].items():
        assert torch.equal(final[key], value), key
    ckpt = load(work_dir / 'iter_4.pth')
    assert not any(k.startswith('module.') for k in ckpt['state_dict'])  # saved unwrapped: resumable anywhere
    assert len(ckpt['rng_states']) == 2  # both ranks' generators, gathered although rank 0 alone writes the file


def test_two_process_gloo_training_with_the_documented_command(setup: SimpleNamespace) -> None:
    """The command a user runs, unchanged: on a machine without CUDA ``tools/train.py`` starts the gloo process group
    and a CPU DDP wrapper itself (``prepare_cpu_distributed``), which mmengine 0.10.7 cannot do."""
    work_dir = setup.root / 'plain'
    check_ranks_agree(dist_train(setup.plain, work_dir), work_dir)
