"""The frozen teacher stays in eval mode and out of the optimizer; ``teacher_trainable=True`` trains it too."""
from typing import Iterator, List

import pytest
import torch

from distiller.engine import DistillerOptimWrapperConstructor

from tests.helpers.kd_runner_helpers import build_tiny_seg_distiller, in_process_setup, seg_batch


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def build(**kwargs):
    return build_tiny_seg_distiller(**kwargs)


def optim_wrapper(model, **kwargs):
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
    return DistillerOptimWrapperConstructor(cfg, **kwargs)(model)


def optimizer_params(wrapper) -> List[torch.Tensor]:
    return [p for group in wrapper.optimizer.param_groups for p in group['params']]


def same_tensors(found: List[torch.Tensor], expected: List[torch.Tensor]) -> bool:
    return len(found) == len(expected) and {id(p) for p in found} == {id(p) for p in expected}


class TrainingFlags:
    """Records ``module.training`` of every submodule of a model each time it runs."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.seen = []
        self.handles = [m.register_forward_pre_hook(self) for m in model.modules()]

    def __call__(self, module, args) -> None:
        self.seen.append(module.training)

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def snapshot(module: torch.nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_frozen_teacher_stays_in_eval_mode_and_out_of_the_optimizer() -> None:
    model = build()
    assert not any(p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert model.student.training and all(m.training for m in model.student.modules())
    assert not any(m.training for m in model.teacher.modules())

    wrapper = optim_wrapper(model)
    expected = list(model.student.parameters()) + list(model.distill_losses.parameters())
    assert len(list(model.distill_losses.parameters())) > 0  # the bottleneck connector (32 -> 64 channels)
    assert same_tensors(optimizer_params(wrapper), expected)

    teacher_before, student_before = snapshot(model.teacher), snapshot(model.student)
    flags = TrainingFlags(model.teacher)
    try:
        for _ in range(2):
            log_vars = model.train_step(dict(zip(('inputs', 'data_samples'), seg_batch())), wrapper)
    finally:
        flags.remove()
    assert flags.seen and not any(flags.seen), 'a teacher module ran in train mode during a train step'
    assert {'loss_cwd', 'loss_mimic', 'decode.loss_ce'} <= set(log_vars)
    assert not any(key.startswith('teacher.') for key in log_vars)
    teacher_after = snapshot(model.teacher)
    for key, value in teacher_before.items():  # weights and BN statistics (eval mode) untouched
        assert torch.equal(teacher_after[key], value), key
    assert any(not torch.equal(v, student_before[k]) for k, v in snapshot(model.student).items())
    assert all(p.grad is None for p in model.teacher.parameters())


def test_paramwise_cfg_sees_the_distiller_prefixes() -> None:
    model = build()
    wrapper = optim_wrapper(model, paramwise_cfg=dict(custom_keys={'student.backbone': dict(lr_mult=0.1)}))
    backbone = {id(p) for p in model.student.backbone.parameters()}
    for group in wrapper.optimizer.param_groups:
        (param, ) = group['params']
        assert group['lr'] == pytest.approx(0.001 if id(param) in backbone else 0.01)
    assert len(wrapper.optimizer.param_groups) == len(list(model.student.parameters())) + len(
        list(model.distill_losses.parameters()))


def test_online_distillation_trains_the_teacher_on_its_own_loss() -> None:
    model = build(teacher_trainable=True)
    assert model.teacher_stop_early is False  # the teacher needs its full forward for its own loss
    assert all(p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert model.teacher.training

    wrapper = optim_wrapper(model)
    expected = (list(model.student.parameters()) + list(model.distill_losses.parameters())
                + list(model.teacher.parameters()))
    assert same_tensors(optimizer_params(wrapper), expected)

    teacher_before = snapshot(model.teacher)
    log_vars = model.train_step(dict(zip(('inputs', 'data_samples'), seg_batch())), wrapper)
    assert {'decode.loss_ce', 'teacher.decode.loss_ce', 'loss_cwd', 'loss_mimic'} <= set(log_vars)
    changed = [k for k, v in snapshot(model.teacher).items() if not torch.equal(v, teacher_before[k])]
    assert 'decode_head.conv_seg.weight' in changed and 'backbone.stem.0.weight' in changed


def test_test_teacher_makes_predictions_come_from_the_teacher() -> None:
    """``test_teacher=True`` (``tools/test.py --teacher``) evaluates the teacher; the default evaluates the student."""
    model = build().eval()
    inputs, samples = seg_batch()
    data = model.student.data_preprocessor(dict(inputs=inputs, data_samples=samples), False)
    with torch.no_grad():
        student_logits = model.student(data['inputs'], data['data_samples'], mode='tensor')
        teacher_logits = model.teacher(data['inputs'], data['data_samples'], mode='tensor')
        assert torch.equal(model(inputs, samples, mode='tensor'), student_logits)
        model.test_teacher = True
        assert torch.equal(model(inputs, samples, mode='tensor'), teacher_logits)
    assert not torch.equal(student_logits, teacher_logits)
