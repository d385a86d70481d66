"""Logit distillation on head outputs, mixed-family pairs, online distillation, and the train/test tools."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.helpers.yolo_helpers import YAMLS, Capture, distill, train_args


pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]

LOGIT_KD = [
    dict(student_module='model.22', teacher_module='model.22', index='scores',
         methods=[dict(type='BinaryKDLoss', name='loss_kd_cls', tau=2.0)]),
    dict(student_module='model.22', teacher_module='model.22', index='boxes',
         methods=[dict(type='KDLoss', name='loss_kd_box', groups=4), dict(type='LogitMSELoss', name='loss_mse_box')]),
]


def test_logit_distillation_on_scores_and_box_distributions(yolo_data, teachers, tmp_path):
    capture = Capture()
    distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            distill_cfg=LOGIT_KD, capture=capture)
    assert {'loss_kd_cls', 'loss_kd_box', 'loss_mse_box'} <= set(capture.loss_names)
    methods = capture.trainer.distill_losses.methods
    assert methods['loss_kd_box'].loss.groups == 4 and methods['loss_kd_cls'].align is None


def test_yolo11_student_learns_from_a_yolov8_teacher_through_connectors(yolo_data, teachers, tmp_path):
    capture = Capture()
    distill('yolo11n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            capture=capture)
    pairs = [(p.student.module, p.teacher.module) for p in capture.trainer.distill_losses.pairs]
    assert pairs == [('model.16', 'model.15'), ('model.19', 'model.18'), ('model.22', 'model.21')]
    aligns = [m.align for m in capture.trainer.distill_losses.methods.values()]
    assert all(a is not None for a in aligns)


def test_teacher_stops_after_its_last_hooked_layer_and_runs_before_the_student(yolo_data, teachers, tmp_path):
    calls, order = [], []
    capture = Capture()

    def count_head_calls(trainer):
        trainer.teacher.model[22].register_forward_hook(lambda *_: calls.append(1))
        trainer.teacher.model[0].register_forward_hook(lambda *_: order.append('teacher'))
        trainer.model.model[0].register_forward_hook(lambda *_: order.append('student'))

    distiller_callbacks = capture.callbacks()
    start = distiller_callbacks['on_pretrain_routine_end']
    distiller_callbacks['on_pretrain_routine_end'] = lambda t: (start(t), count_head_calls(t))
    from distiller.yolo import YOLODistiller
    from tests.helpers.yolo_helpers import CWD_ALL_LEVELS
    YOLODistiller('yolov8n.yaml', str(teachers['detect']), CWD_ALL_LEVELS).train(
        train_args(yolo_data / YAMLS['detect']), save_dir=str(tmp_path / 'run'), callbacks=distiller_callbacks)
    assert calls == []
    # Each step runs the teacher (from preprocess_batch) before the student's forward, which then meets its backward.
    assert order and order == ['teacher', 'student'] * (len(order) // 2)


def test_online_distillation_trains_the_teacher_too(yolo_data, tmp_path):
    capture = Capture()

    distill('yolov8n.yaml', 'yolov8s.yaml', train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            capture=capture, teacher_trainable=True)
    trainer = capture.trainer
    assert 'teacher_loss' in capture.loss_names
    optimized = {id(p) for group in trainer.optimizer.param_groups for p in group['params']}
    assert {id(p) for p in trainer.teacher.parameters() if p.requires_grad} <= optimized
    saved = torch.load(tmp_path / 'run' / 'weights' / 'distill_state.pt', weights_only=True)
    changed = [k for k, v in saved['teacher'].items() if v.is_floating_point()
               and not torch.equal(v, capture.teacher_start[k].cpu())]
    assert len(changed) > len(saved['teacher']) // 2


def test_train_and_test_tools_dispatch_a_yolo_config(yolo_data, teachers, tmp_path):
    config = tmp_path / 'yolo_cfg.py'
    args = train_args(yolo_data / YAMLS['detect'])
    config.write_text(
        f"model = dict(type='YOLODistiller', student='yolov8n.yaml', teacher={str(teachers['detect'])!r},\n"
        "             distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', tau=1.0)])])\n"
        f"train_args = {args!r}\nrunner_type = 'YOLORunner'\n")
    env = dict(os.environ, OMP_NUM_THREADS='1')
    work = tmp_path / 'work'
    subprocess.run([sys.executable, 'tools/train.py', str(config), '--work-dir', str(work)], cwd=REPO, env=env,
                   check=True, capture_output=True)
    assert (work / 'weights' / 'best.pt').is_file()
    result = subprocess.run([sys.executable, 'tools/test.py', str(config), str(work / 'weights' / 'best.pt'),
                             '--work-dir', str(work)], cwd=REPO, env=env, check=True, capture_output=True, text=True)
    assert 'mAP50-95' in result.stdout + result.stderr
