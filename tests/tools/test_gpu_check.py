"""``tools/gpu_check.sh``: the GPU check's CPU dry run (every command line of the GPU run, tiny settings), its
``--prepare`` commands and the pins it shares with ``tools/install.sh``."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.helpers.kd_runner_helpers import REPO
from tests.helpers.tools_loader import load_tool

STEPS = ['host', 'venv', 'wheels', 'mmcv', 'package', 'stack', 'data', 'bench_yolo', 'bench_seg', 'train_yolo',
         'train_mm', 'bench_yolo_teacher_bf16', 'bench_seg_teacher_bf16']
PRINTED = {'venv', 'wheels', 'mmcv', 'package'}  # environment steps a dry run prints instead of running


def script_env() -> dict:
    """The test's interpreter for the script (``KD_PYTHON``), one thread per process."""
    return dict(os.environ, KD_PYTHON=sys.executable, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


@pytest.mark.slow
def test_dry_run_runs_every_step_and_writes_json_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / 'gpu'
    proc = subprocess.run(['bash', str(REPO / 'tools' / 'gpu_check.sh'), '--dry-run', '--out', str(out),
                           '--work', str(tmp_path / 'work')], cwd=str(REPO), env=script_env(), capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    result = json.loads((out / 'check.json').read_text())
    assert result['mode'] == 'dry-run' and result['ok'] is True
    steps = {s['name']: s for s in result['steps']}
    assert [s['name'] for s in result['steps']] == STEPS
    for name, step in steps.items():
        if name in PRINTED:
            assert step['status'] == 'dry-run' and step['detail'].startswith('would run: '), step
        else:
            assert step['status'] == 'ok' and step['returncode'] == 0 and step['wall_s'] > 0, step
            assert (out / step['log']).is_file()
    # The printed commands are the GPU run's: a venv over the machine's torch, offline wheels, mmcv's CPU ops
    # built as tools/install.sh builds them (C++20, -g0) with the GPU hidden from its setup.py, this package editable.
    assert '-m venv --system-site-packages' in steps['venv']['detail']
    assert '--no-index --no-deps' in steps['wheels']['detail']
    build = steps['mmcv']['detail']
    for part in ('-std=c++20', 'FORCE_CUDA=0', "CUDA_VISIBLE_DEVICES=''", 'MMCV_WITH_OPS=1', '-g0',
                 'pip wheel -v', '--no-build-isolation'):
        assert part in build, part
    assert '--no-build-isolation -e' in steps['package']['detail']
    assert 'mmcv 2.1.0' in steps['stack']['detail']

    # Step time: both distillers, fp32 and fp32 with a bfloat16 teacher (AMP rows exist on CUDA only).
    rows = {(r['config'], r['precision']): r for r in result['step_time']}
    assert set(rows) == {(config, precision) for config in ('cwd_yolov8s_to_yolov8n_digits',
                                                            'cwd_cspnext_s_to_tiny_fpn_digits')
                         for precision in ('fp32', 'fp32, teacher bfloat16')}
    for row in rows.values():
        assert row['ours_over_floor'] > 0 and row['ours_over_naive'] > 0
        assert row['peak_mib'] == {}  # the dry run skips the peak-memory processes
        assert all(row['ms'][mode] > 0 for mode in ('student', 'teacher_to_hook', 'naive', 'ours'))
    assert (out / 'step_time.md').is_file()

    # The short runs trained and validated.
    assert result['train_yolo']['iterations'] >= 1 and 0 <= result['train_yolo']['mAP50-95'] <= 1
    assert result['train_mm']['iterations'] == 2 and result['train_mm']['loss_cwd'] >= 0
    assert 0 <= result['train_mm']['mIoU'] <= 100

    table = (out / 'check.md').read_text()
    assert table.startswith('# GPU check (dry-run)')
    assert '| step | what | status | time (s) | detail |' in table
    for name in STEPS:
        assert f'| {name} |' in table
    assert '## Step time' in table and '## Short distillation runs' in table
    assert '| cwd_yolov8s_to_yolov8n_digits | fp32, teacher bfloat16 |' in table


def test_prepare_dry_run_prints_the_downloads_for_python_312(tmp_path: Path, capsys) -> None:
    gpu_check = load_tool('gpu_check')
    folder = tmp_path / 'wheels'
    assert gpu_check.main(['--prepare', str(folder), '--dry-run']) == 0
    out = capsys.readouterr().out
    download = next(line for line in out.splitlines() if '--only-binary=:all:' in line)
    for part in ('pip download', '--no-deps', '--python-version 3.12', '--implementation cp',
                 '--platform manylinux2014_x86_64', 'mmengine==0.10.7', 'mmdet==3.3.0', 'mmsegmentation==1.2.2',
                 'ultralytics==8.4.190', "'setuptools>=77.0.3,<81'", 'pycocotools', 'polars=='):
        assert part in download, part
    assert 'torchvision' not in download and 'numpy' not in download  # the lent machine has them
    assert 'mmcv-2.1.0.tar.gz' in out or '--no-binary :all:' in out
    assert not folder.exists()

    assert gpu_check.main(['--prepare', str(folder), '--dry-run', '--full']) == 0
    full = capsys.readouterr().out
    assert 'torchvision==0.26.0' in full and ' numpy ' in full and 'opencv-python-headless' in full


def test_pins_and_mmcv_build_follow_install_sh(tmp_path: Path) -> None:
    gpu_check = load_tool('gpu_check')
    install = (REPO / 'tools' / 'install.sh').read_text()
    for pin in ('mmengine==0.10.7', 'mmdet==3.3.0', 'mmsegmentation==1.2.2', 'ultralytics==8.4.190',
                'setuptools>=77.0.3,<81'):
        assert pin in install and pin in gpu_check.CORE_REQUIREMENTS, pin
    settings = gpu_check.install_sh_settings()
    assert settings['version'] == '2.1.0' and '-g0' in settings['cflags']
    setup_py = tmp_path / 'setup.py'
    setup_py.write_text("args = ['-std=c++14']\nnvcc = ['-std=c++17', '-O3']\n")
    assert gpu_check.cxx20_fix(setup_py) == 2
    assert re.findall(r'-std=c\+\+\d+', setup_py.read_text()) == ['-std=c++20', '-std=c++20']
    wheel = gpu_check.wheel_name(Path('ultralytics_thop-2.2.3-py3-none-any.whl'))
    assert wheel == dict(name='ultralytics-thop', version='2.2.3')


def test_markdown_reports_a_failed_and_a_skipped_step() -> None:
    gpu_check = load_tool('gpu_check')
    result = dict(mode='gpu', started='2026-01-01 00:00:00', wall_s=500.0, budget_s=480, ok=False,
                  host=dict(gpu='NVIDIA H200', python='3.12.3', torch='2.11.0', cpu_count=16),
                  mmcv_build_s=200.0, mmcv_build=dict(seconds=200.0, ops='cpu', compiled_files=77, jobs=16),
                  steps=[dict(name='mmcv', title='mmcv', status='failed', wall_s=200.0, detail='exit 1 | see log'),
                         dict(name='train_mm', title='mm run', status='skipped', wall_s=None,
                              detail='the 480 s budget is spent')])
    table = gpu_check.markdown(result)
    assert 'NVIDIA H200' in table and 'not all steps ok' in table
    assert '| mmcv | mmcv | failed | 200.0 | exit 1 \\| see log |' in table
    assert '| train_mm | mm run | skipped | - | the 480 s budget is spent |' in table
    assert 'mmcv build: 200 s, cpu ops, 77 files, MAX_JOBS=16.' in table


@pytest.mark.skipif(torch.cuda.is_available(), reason='on a CUDA machine this would install and run the real check')
def test_gpu_run_stops_where_torch_sees_no_cuda(tmp_path: Path) -> None:
    out = tmp_path / 'gpu'
    proc = subprocess.run([sys.executable, str(REPO / 'tools' / 'gpu_check.py'), str(tmp_path / 'wheels'), '--out',
                           str(out), '--work', str(tmp_path / 'work')], cwd=str(REPO), env=script_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    result = json.loads((out / 'check.json').read_text())
    assert [s['name'] for s in result['steps']] == ['host'] and result['steps'][0]['status'] == 'failed'
    assert 'no CUDA' in result['steps'][0]['detail'] and not (tmp_path / 'work' / 'venv').exists()
