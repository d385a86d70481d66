"""Tests of tools/analysis/print_modules.py, run as a subprocess on real distiller configs."""
import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'analysis' / 'print_modules.py'


def run_tool(*args: str) -> str:
    """Run the tool and return its stdout (asserting exit code 0).

    Args:
        *args (str): Command-line arguments.

    Returns:
        str: The standard output.
    """
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, str(TOOL), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


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


def test_segmentation_config():
    out = run_tool('configs/distillers/cwd_pspnet_r50_to_r18_digits.py', '--input-shape', '1', '3', '64', '64')
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


def test_detection_config_depth_and_filter():
    out = run_tool('configs/distillers/cwd_retinanet_r101_to_r50_coco.py', '--input-shape', '1', '3', '64', '64',
                   '--depth', '1')
    found = tables(out)
    for role in ('teacher', 'student'):
        assert found[role]['neck'].startswith('tuple x5:')
        assert all(name.count('.') == 0 for name in found[role])
    assert 'neck  (tuple x5)  student 256 ch <- teacher 256 ch' in out
    assert any(entry['student_module'] == 'neck' for entry in snippet(out))
