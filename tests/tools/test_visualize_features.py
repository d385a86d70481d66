"""Tests of tools/analysis/visualize_features.py on an mmseg config and a YOLO config, in-process on a small image."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.helpers.kd_runner_helpers import one_thread
from tests.helpers.tools_loader import load_tool

REPO = Path(__file__).resolve().parents[2]
PSPNET_CWD = REPO / 'configs' / 'distillers' / 'cwd_pspnet_r50_to_r18_digits.py'
YOLO_CWD = REPO / 'configs' / 'distillers' / 'yolo' / 'cwd_yolov8s_to_yolov8n_digits.py'


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """A 64 x 64 RGB noise image."""
    path = tmp_path / 'image.png'
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(path)
    return path


def run(*argv: str) -> dict:
    """The tool's ``main`` on one thread."""
    with one_thread():
        return load_tool('analysis/visualize_features').main(list(argv))


def test_mm_config_teacher_and_student_checkpoints(tmp_path: Path, image: Path) -> None:
    """A PSPNet-R18 teacher loaded from ``teacher_pretrained`` and the same weights as the student (a student-only
    and a full distiller checkpoint) see the same features; a tuple output gives one figure per element and an
    input hook its own figure."""
    from distiller.models import build_model
    from distiller.registry import register_all_modules
    register_all_modules(init_default_scope=False)
    student_cfg = str(REPO / 'configs' / 'students' / 'pspnet_r18_digits.py')
    state = build_model(student_cfg).state_dict()
    torch.save({'state_dict': state}, tmp_path / 'r18.pth')
    torch.save({'state_dict': {f'student.{k}': v for k, v in state.items()}}, tmp_path / 'distiller.pth')
    config = tmp_path / 'cwd_r18_to_r18.py'
    config.write_text(f"""
_base_ = [{str(PSPNET_CWD)!r}]
model = dict(teacher_cfg={student_cfg!r}, teacher_pretrained={str(tmp_path / 'r18.pth')!r},
             calibrate_shape=(1, 3, 64, 64),
             distill_cfg=[
                 dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
                      methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
                 dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg', output_hook=False,
                      methods=[dict(type='MimicLoss', name='loss_mimic_in', weight=1.0)]),
                 dict(student_module='backbone', teacher_module='backbone',
                      methods=[dict(type='MimicLoss', name='loss_mimic', weight=1.0)])])
""")
    out = tmp_path / 'features'
    results = run(str(config), str(image), '--students', str(tmp_path / 'r18.pth'), str(tmp_path / 'distiller.pth'),
                  '--labels', 'plain', 'distiller', '--out', str(out))
    assert sorted(p.name for p in out.glob('*.png')) == [
        'backbone_0.png', 'backbone_1.png', 'backbone_2.png', 'backbone_3.png', 'decode_head_conv_seg.png',
        'decode_head_conv_seg_input.png']
    for figures in results.values():
        for label in ('plain', 'distiller'):
            assert figures[label]['cwd_per_channel'] == pytest.approx(0.0, abs=1e-6)
            assert figures[label]['kl_channel_mean'] == pytest.approx(0.0, abs=1e-6)
    assert json.loads((out / 'features.json').read_text()) == results


def test_mm_config_missing_teacher_checkpoint(tmp_path: Path, image: Path, capsys) -> None:
    config = tmp_path / 'cwd_missing_teacher.py'
    config.write_text(f"_base_ = [{str(PSPNET_CWD)!r}]\n"
                      f"model = dict(teacher_pretrained={str(tmp_path / 'missing.pth')!r}, "
                      'calibrate_shape=(1, 3, 64, 64))\n')
    results = run(str(config), str(image), '--out', str(tmp_path / 'features'))
    assert 'missing.pth not found; the teacher keeps its random initialisation' in capsys.readouterr().out
    figures = results[str(tmp_path / 'features' / 'decode_head_conv_seg.png')]
    assert figures['student']['cwd_per_channel'] > 0  # an R50 teacher against an R18 student, both random


def test_yolo_config(tmp_path: Path, image: Path) -> None:
    config = tmp_path / 'cwd_missing_teacher.py'
    config.write_text(f"_base_ = [{str(YOLO_CWD)!r}]\nmodel = dict(teacher={str(tmp_path / 'missing.pt')!r})\n")
    with pytest.raises(SystemExit, match=r'model\.teacher: checkpoint file not found: .*missing\.pt; pass '
                                         r'--teacher-yaml'):
        run(str(config), str(image))
    out = tmp_path / 'features'
    results = run(str(config), str(image), '--teacher-yaml', 'yolov8s.yaml', '--students', 'yolov8n.yaml',
                  'yolov8s.yaml', '--imgsz', '64', '--out', str(out))
    assert sorted(p.name for p in out.glob('*.png')) == ['model_15.png', 'model_18.png', 'model_21.png']
    for figures in results.values():  # random-init YOLO features are nearly flat: KL is ~0 (rounding may go below)
        assert set(figures['yolov8n']) == {'kl_channel_mean'} and figures['yolov8n']['kl_channel_mean'] > -1e-6
        assert set(figures['yolov8s']) == {'kl_channel_mean', 'cwd_per_channel'}  # same widths as the teacher
