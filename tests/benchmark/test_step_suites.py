"""The step suites run each mode as the engines do: the teacher stops at its last hook only in our modes."""
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from distiller.benchmark import MMStepSuite, YOLOStepSuite

from tests.helpers.kd_runner_helpers import one_thread, run_tool, tail, tiny_pspnet

REPO = Path(__file__).resolve().parents[2]


def seg_config(path: Path) -> Path:
    """A distiller config of two tiny PSPNets, the teacher hooked at its bottleneck (before its classifier)."""
    model = dict(type='SegmentationDistiller', teacher_cfg=tiny_pspnet(channels=64), student_cfg=tiny_pspnet(),
                 teacher_pretrained='pretrained_model/absent.pth',
                 distill_cfg=[dict(student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
                                   methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0)])])
    path.write_text(f'model = {model!r}\n')
    return path


class CallCounter:
    """Counts forward calls of a module."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.count = 0
        module.register_forward_hook(self)

    def __call__(self, *args) -> None:
        self.count += 1


def snapshot(module: torch.nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_mm_suite_modes(tmp_path: Path) -> None:
    with one_thread():
        suite = MMStepSuite(Config.fromfile(str(seg_config(tmp_path / 'cfg.py'))), (32, 32), 2, 'cpu')
        teacher, student = suite.distiller.teacher, suite.distiller.student
        classifier = CallCounter(teacher.decode_head.conv_seg)
        modes = suite.modes()
        assert list(modes) == ['student', 'teacher_to_hook', 'teacher_full', 'teacher_loss', 'naive', 'ours']
        teacher_before, student_before = snapshot(teacher), snapshot(student)
        calls = {}
        for name, step in modes.items():
            before = classifier.count
            step()
            calls[name] = classifier.count - before
        assert calls == dict(student=0, teacher_to_hook=0, teacher_full=1, teacher_loss=1, naive=1, ours=0)
        assert all(torch.equal(v, teacher_before[k]) for k, v in snapshot(teacher).items())
        assert any(not torch.equal(v, student_before[k]) for k, v in snapshot(student).items())
        step = suite.modes()['student']
        suite.drop_teacher()
        assert suite.distiller.teacher is None
        step()


def test_yolo_suite_modes() -> None:
    cfg = Config(dict(model=dict(type='YOLODistiller', student='yolov8n.yaml', teacher='yolov8n.yaml',
                                 distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss')])]),
                      train_args=dict(imgsz=64, batch=2)))
    with one_thread():
        suite = YOLOStepSuite(cfg, 64, 2, 'cpu')
        head = CallCounter(suite.teacher.model[-1])
        calls = {}
        for name, step in suite.modes().items():
            before = head.count
            step()
            calls[name] = head.count - before
        assert calls == dict(student=0, teacher_to_hook=0, teacher_full=1, naive=1, ours=0)
        assert suite.criteria['ours'].teacher_stop_early and not suite.criteria['naive'].teacher_stop_early


def test_yolo_suite_refuses_other_tasks() -> None:
    cfg = Config(dict(model=dict(type='YOLODistiller', student='yolov8n-seg.yaml', teacher='yolov8n-seg.yaml',
                                 distill_cfg=[dict(methods=[dict(type='MimicLoss')])]), train_args=dict(imgsz=64)))
    with pytest.raises(NotImplementedError, match="step_time: YOLO task 'segment': only detection configs"):
        YOLOStepSuite(cfg, 64, 2, 'cpu')


def test_step_time_tool_writes_json_and_table(tmp_path: Path) -> None:
    config = seg_config(tmp_path / 'tiny_seg.py')
    out = tmp_path / 'step_time'
    proc = run_tool([str(REPO / 'tools' / 'benchmark' / 'step_time.py'), str(config), '--img-size', '32',
                     '--repeats', '2', '--warmup', '1', '--memory-steps', '1', '--device', 'cpu', '--threads', '1',
                     '--out', str(out)], timeout=300)
    assert proc.returncode == 0, tail(proc)
    data = json.loads((out / 'tiny_seg_cpu_fp32.json').read_text())
    assert set(data['summary']) == {'student', 'teacher_to_hook', 'teacher_full', 'teacher_loss', 'naive', 'ours'}
    assert all(len(values) == 2 for values in data['times'].values())
    assert set(data['time_ratios']) == {'ours / (student + teacher_to_hook)', 'ours / naive',
                                        'teacher_to_hook / teacher_full'}
    assert set(data['memory']) == {'student', 'naive', 'ours'} and all(v > 0 for v in data['memory'].values())
    assert data['teacher_bytes'] > 0 and data['memory_ratio']['target'] == 1.15
    table = (tmp_path / 'step_time.md').read_text()
    assert table.count('\n') == 3 and '| tiny_seg | cpu (1 threads' in table
    assert 'ours / naive:' in proc.stdout and 'peak memory ours / (student + teacher weights)' in proc.stdout


def test_yolo_half_precision_teacher_feeds_float32_losses() -> None:
    cfg = Config(dict(model=dict(type='YOLODistiller', student='yolov8n.yaml', teacher='yolov8n.yaml',
                                 distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss')])]),
                      train_args=dict(imgsz=64, batch=2)))
    with one_thread():
        suite = YOLOStepSuite(cfg, 64, 2, 'cpu', teacher_dtype='bfloat16')
        assert {p.dtype for p in suite.teacher.parameters()} == {torch.bfloat16}
        suite.student.criterion = suite.criteria['ours']
        with suite.loss_set.student_recorder.recording():
            loss, items = suite.student.loss(suite.batch)
        assert loss.dtype == torch.float32 and torch.isfinite(loss).all()
        assert items['cwd_loss'].dtype == torch.float32 and items['cwd_loss'] > 0
