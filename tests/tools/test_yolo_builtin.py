"""``tools/benchmark/yolo_builtin.py``: plain, ours and Ultralytics' built-in distillation from one kept teacher,
with the teacher and the software versions recorded beside the results."""
import json
from pathlib import Path

import pytest

from tests.helpers.kd_runner_helpers import REPO, run_tool, tail

pytestmark = pytest.mark.slow
TOOL = str(REPO / 'tools' / 'benchmark' / 'yolo_builtin.py')


def test_trains_the_teacher_once_and_records_it_with_the_versions(tmp_path: Path) -> None:
    data, teacher, out = tmp_path / 'digits', tmp_path / 'teachers' / 'yolov8s_digits.pt', tmp_path / 'builtin'
    options = [f'train_args.data={data}/yolo/detect/digits.yaml', 'train_args.imgsz=64', 'train_args.batch=4',
               'train_args.workers=0', 'train_args.close_mosaic=0']
    args = [TOOL, str(REPO / 'configs' / 'distillers' / 'yolo' / 'cwd_yolov8s_to_yolov8n_digits.py'), '--seeds', '0',
            '--epochs', '1', '--teacher-epochs', '1', '--teacher', str(teacher), '--work-dir', str(tmp_path / 'work'),
            '--out', str(out), '--data-args', f'--out {data} --num-train 8 --num-val 2 --img-size 64',
            '--cfg-options', *options]
    proc = run_tool(args, timeout=900)
    assert proc.returncode == 0, tail(proc)
    assert teacher.is_file() and teacher.with_suffix('.json').is_file()
    result = json.loads(out.with_suffix('.json').read_text())
    assert [run['method'] for run in result['runs']] == ['plain', 'ours', 'builtin']
    assert result['teacher']['reused'] is False and result['versions']['ultralytics'][0].isdigit()
    table = out.with_suffix('.md').read_text()
    assert f'teacher {teacher}: metrics/mAP50-95(B)' in table and '(trained here for 1 epochs)' in table
    assert 'ultralytics ' + result['versions']['ultralytics'] in table
