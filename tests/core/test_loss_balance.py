"""Loss-scale balancing (#25): weights fixed from the measured task loss, per level, kept through a state dict."""
import pytest
import torch
from torch import nn

import distiller.losses  # noqa: F401  registers every loss
from distiller.core import DistillConfigError, DistillLossSet


class TwoLevels(nn.Module):
    """Two feature levels of equal width whose magnitudes differ by 10x (a large and a small FPN level)."""

    def __init__(self, scale: float) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.scale = scale

    def forward(self, x):
        feat = self.conv(x)
        return feat * self.scale, feat[..., ::2, ::2] * self.scale * 10


class Net(nn.Module):
    def __init__(self, scale: float) -> None:
        super().__init__()
        self.neck = TwoLevels(scale)

    def forward(self, x):
        return self.neck(x)


def _build(method: dict, seed: int = 0) -> tuple:
    torch.manual_seed(seed)
    student, teacher = Net(1.0), Net(3.0)
    losses = DistillLossSet([dict(student_module='neck', teacher_module='neck', methods=[method])], student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    return losses, student, teacher


def _step(losses, student, teacher, x, task):
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        return losses(task_loss=torch.tensor(task))['loss_mimic']


def _level_mse(student, teacher, x):
    s, t = student(x), teacher(x)
    return [float(((a - b) ** 2).mean()) for a, b in zip(s, t)]


def test_weights_are_fixed_from_the_measured_ratio_per_level() -> None:
    losses, student, teacher = _build(dict(type='MimicLoss', name='loss_mimic', weight=2.0,
                                           balance=dict(ratio=0.5, iters=3)))
    batches = [torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(i)) for i in range(4)]
    tasks = [1.0, 2.0, 3.0]
    for x, task in zip(batches, tasks):
        assert float(_step(losses, student, teacher, x, task)) == 0.0  # measuring: adds nothing yet
    balancer = losses.methods['loss_mimic'].balancer
    assert balancer.done
    with torch.no_grad():
        per_level = torch.tensor([_level_mse(student, teacher, x) for x in batches[:3]]).mean(0) * 2.0
    expected = 0.5 * 2.0 / (2 * per_level)  # ratio * mean task / (levels * mean weighted level loss)
    torch.testing.assert_close(balancer.multipliers, expected.float(), rtol=1e-5, atol=0)
    # On the next batch each level contributes the same share of ratio * task, whatever its magnitude.
    loss = _step(losses, student, teacher, batches[3], 9.0)
    with torch.no_grad():
        levels = torch.tensor(_level_mse(student, teacher, batches[3])) * 2.0 * balancer.multipliers
    torch.testing.assert_close(loss.detach(), levels.sum(), rtol=1e-5, atol=0)
    assert levels[1] / levels[0] < 5  # unbalanced, the second level was about 100x the first


@pytest.mark.parametrize('reduction', ['sum', 'mean'])
def test_cell_shares_split_the_target_by_spatial_positions(reduction) -> None:
    """``shares='cells'``: the 8x8 level gets 64 / 80 of the target and the 4x4 level 16 / 80, so every cell
    weighs the same; with ``level_reduction='mean'`` the levels are averaged and the total is still the ratio."""
    losses, student, teacher = _build(dict(type='MimicLoss', name='loss_mimic', level_reduction=reduction,
                                           balance=dict(ratio=0.5, iters=1, shares='cells')))
    x = torch.randn(2, 3, 8, 8)
    _step(losses, student, teacher, x, 2.0)
    balancer = losses.methods['loss_mimic'].balancer
    with torch.no_grad():
        per_level = torch.tensor(_level_mse(student, teacher, x))
    levels = 2 if reduction == 'mean' else 1
    expected = 0.5 * 2.0 * levels * torch.tensor([64 / 80, 16 / 80]) / per_level
    torch.testing.assert_close(balancer.multipliers, expected.float(), rtol=1e-5, atol=0)
    loss = _step(losses, student, teacher, x, 2.0)
    torch.testing.assert_close(loss.detach(), torch.tensor(0.5 * 2.0), rtol=1e-5, atol=0)
    with torch.no_grad():
        shares = per_level * balancer.multipliers / (per_level * balancer.multipliers).sum()
    torch.testing.assert_close(shares, torch.tensor([0.8, 0.2]), rtol=1e-5, atol=0)


def test_mean_reduction_targets_the_ratio_per_level() -> None:
    losses, student, teacher = _build(dict(type='MimicLoss', name='loss_mimic', level_reduction='mean',
                                           balance=dict(ratio=0.25, iters=1)))
    x = torch.randn(2, 3, 8, 8)
    _step(losses, student, teacher, x, 4.0)
    loss = _step(losses, student, teacher, x, 4.0)
    torch.testing.assert_close(loss.detach(), torch.tensor(0.25 * 4.0), rtol=1e-5, atol=0)


def test_a_resumed_run_keeps_the_calibrated_weights() -> None:
    method = dict(type='MimicLoss', name='loss_mimic', balance=dict(ratio=0.5, iters=2))
    losses, student, teacher = _build(method)
    x = torch.randn(2, 3, 8, 8)
    for task in (1.0, 3.0):
        _step(losses, student, teacher, x, task)
    saved = losses.state_dict()
    resumed, student2, teacher2 = _build(method, seed=1)
    resumed.load_state_dict(saved)
    assert resumed.methods['loss_mimic'].balancer.done
    torch.testing.assert_close(resumed.methods['loss_mimic'].balancer.multipliers,
                               losses.methods['loss_mimic'].balancer.multipliers)
    assert float(_step(resumed, student2, teacher2, x, 100.0)) > 0  # no second measurement: it distils at once


@pytest.mark.parametrize('balance, message', [
    (dict(ratio=0), 'balance.ratio: expected a positive fraction of the task loss, got 0'),
    (dict(ratio=-1.0), 'balance.ratio: expected a positive fraction'),
    (dict(iters=0), 'balance.iters: expected a whole number of iterations >= 1, got 0'),
    (dict(ratio=0.5, steps=3), r'balance: unknown key\(s\) steps'),
    ('auto', 'balance: expected a dict such as dict\\(ratio=0.5, iters=20\\)'),
    (dict(shares='area'), "balance.shares: expected 'equal' \\(every level the same share\\) or 'cells' \\(shares in "
                          "proportion to the levels' spatial positions\\), got 'area'"),
])
def test_bad_balance_settings_fail_at_build_time(balance, message) -> None:
    with pytest.raises(DistillConfigError, match=message):
        _build(dict(type='MimicLoss', name='loss_mimic', balance=balance))


def test_balancing_a_method_switched_off_fails_at_build_time() -> None:
    with pytest.raises(DistillConfigError, match="weight is 0, so there is nothing to balance"):
        _build(dict(type='MimicLoss', name='loss_mimic', weight=0, balance=dict()))
    with pytest.raises(DistillConfigError, match=r'stop_epoch=0\), so there is nothing to balance'):
        _build(dict(type='MimicLoss', name='loss_mimic', balance=dict(),
                    schedule=dict(type='ConstantWeight', stop_epoch=0)))


def test_measuring_without_the_task_loss_is_an_error() -> None:
    losses, student, teacher = _build(dict(type='MimicLoss', name='loss_mimic', balance=dict(iters=2)))
    x = torch.randn(2, 3, 8, 8)
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        with pytest.raises(RuntimeError, match='loss_mimic: balancing needs the task loss'):
            losses()
