"""Tests of tools/analysis/print_modules.py, its ``main`` run in-process on real distiller configs (mmseg, mmdet,
YOLO)."""
import ast
from pathlib import Path
from typing import Dict, List

import pytest

from tests.helpers.tools_loader import load_tool

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'analysis' / 'print_modules.py'


def run_tool(capsys, *args: str) -> str:
    """Run the tool's ``main`` in this process and return what it printed (asserting exit code 0).

    Args:
        capsys: pytest's output capture.
        *args (str): Command-line arguments.

    Returns:
        str: The standard output.
    """
    capsys.readouterr()
    assert load_tool('analysis/print_modules').main(list(args)) == 0
    return capsys.readouterr().out


def tables(out: str) -> Dict[str, Dict[str, str]]:
    """Parse the teacher/student tables into ``{role: {module name: output shape column}}``.

    Args:
        out (str): The tool's output.

    Returns:
        dict: Shape text by module name, per role.
    """
    result: Dict[str, Dict[str, str]] = {}
    role = None
    for line in out.splitlines():
        if line.startswith('== '):
            title = line[3:]
            role = next((r for r in ('teacher', 'student') if title.startswith(r + ' (')), None)
            if role:
                result[role] = {}
            continue
        if role and line.strip() and not line.startswith('name '):
            parts = line.split()
            result[role][parts[0]] = ' '.join(parts[2:-1])
    return result


def channels(shape_text: str) -> int:
    """Channel count of a single-tensor shape like ``1x512x8x8``."""
    return int(shape_text.split('x')[1])


def snippet(out: str) -> List[dict]:
    """The printed ``distill_cfg`` list, parsed as a Python literal."""
    text = out.split('distill_cfg = ', 1)[1]
    return ast.literal_eval(text.strip())


def test_segmentation_config(capsys):
    out = run_tool(capsys, str(ROOT / 'configs/distillers/cwd_pspnet_r50_to_r18_digits.py'),
                   '--input-shape', '1', '3', '64', '64')
    found = tables(out)
    for role in ('teacher', 'student'):
        assert channels(found[role]['decode_head.conv_seg']) == 11
    assert channels(found['student']['backbone.layer4']) == 512
    assert channels(found['teacher']['backbone.layer4']) == 2048
    pairs = out.split('== proposed pairs', 1)[1].split('== distill_cfg', 1)[0]
    assert 'decode_head.conv_seg  (tensor)  student 11 ch <- teacher 11 ch' in pairs
    cfg = snippet(out)
    assert isinstance(cfg, list) and cfg and all(isinstance(entry, dict) for entry in cfg)
    for entry in cfg:
        assert set(entry) == {'student_module', 'teacher_module', 'methods'}
        assert entry['methods'] and all('type' in m for m in entry['methods'])
    assert cfg[0]['student_module'] == 'decode_head.conv_seg'


def test_detection_config_depth_and_filter(capsys):
    out = run_tool(capsys, str(ROOT / 'configs/distillers/cwd_retinanet_r101_to_r50_coco.py'),
                   '--input-shape', '1', '3', '64', '64', '--depth', '1')
    found = tables(out)
    for role in ('teacher', 'student'):
        assert found[role]['neck'].startswith('tuple x5:')
        assert all(name.count('.') == 0 for name in found[role])
    assert 'neck  (tuple x5)  student 256 ch <- teacher 256 ch' in out
    assert any(entry['student_module'] == 'neck' for entry in snippet(out))


def yolo_config(tmp_path: Path) -> Path:
    """The YOLOv8s -> YOLOv8n CWD config with a teacher checkpoint that is not on disk."""
    config = tmp_path / 'cwd_missing_teacher.py'
    config.write_text(f"_base_ = [{str(ROOT / 'configs/distillers/yolo/cwd_yolov8s_to_yolov8n_digits.py')!r}]\n"
                      f"model = dict(teacher={str(tmp_path / 'missing.pt')!r})\n")
    return config


def test_yolo_config_with_teacher_yaml(tmp_path: Path, capsys):
    out = run_tool(capsys, str(yolo_config(tmp_path)), '--teacher-yaml', 'yolov8s.yaml',
                   '--input-shape', '1', '3', '64', '64', '--depth', '2')
    assert 'building the teacher from yolov8s.yaml' in out
    found = tables(out)
    assert found['student']['model.15'] == '1x64x8x8' and found['teacher']['model.15'] == '1x128x8x8'
    assert found['student']['model.21'] == '1x256x2x2' and found['teacher']['model.21'] == '1x512x2x2'
    assert all(name.startswith('model') and name.count('.') <= 1 for name in found['student'])
    pairs = out.split('== proposed pairs', 1)[1].split('== distill_cfg', 1)[0].strip().splitlines()[1:4]
    assert [line.split()[0] for line in pairs] == ['model.15', 'model.18', 'model.21']  # the Detect head's inputs
    assert [entry['student_module'] for entry in snippet(out)] == ['model.15', 'model.18', 'model.21']


def test_yolo_config_missing_teacher_fails_with_one_line(tmp_path: Path):
    with pytest.raises(SystemExit, match=r'model\.teacher: checkpoint file not found: .*missing\.pt; pass '
                                         r'--teacher-yaml'):
        load_tool('analysis/print_modules').main([str(yolo_config(tmp_path))])
