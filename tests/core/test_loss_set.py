"""DistillLossSet on tiny models: connectors, gradients, schedules, extra inputs."""
import pytest
import torch
from torch import nn

from distiller.core import ChannelAlign, DistillLossSet, TrainProgress
from distiller.losses.mimic import MimicLoss  # noqa: F401  registers MimicLoss


def _pair(c_s: int = 4, c_t: int = 8, stride_t: int = 1):
    torch.manual_seed(0)
    student = nn.Sequential(nn.Conv2d(3, c_s, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(c_s, 2, 1))
    teacher = nn.Sequential(nn.Conv2d(3, c_t, 3, padding=1, stride=stride_t), nn.ReLU(), nn.Conv2d(c_t, 2, 1))
    for p in teacher.parameters():
        p.requires_grad_(False)
    return student, teacher


def _step(losses: DistillLossSet, student: nn.Module, teacher: nn.Module, x: torch.Tensor, **extra):
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        return losses(**extra)


def test_connector_built_for_channel_mismatch_and_value_is_mse() -> None:
    student, teacher = _pair()
    cfg = [dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss', name='loss_hint', weight=2.)])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 6, 6)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    align = losses.methods['loss_hint'].align
    assert isinstance(align, ChannelAlign) and align.conv.in_channels == 4 and align.conv.out_channels == 8
    out = _step(losses, student, teacher, x)
    expected = 2.0 * ((align(student[0](x)) - teacher[0](x)) ** 2).mean()
    torch.testing.assert_close(out['loss_hint'], expected)
    out['loss_hint'].backward()
    assert student[0].weight.grad.abs().sum() > 0 and align.conv.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in teacher.parameters())


def test_spatial_resize_and_normalize_connectors() -> None:
    student, teacher = _pair(c_s=8, c_t=8, stride_t=2)
    cfg = [dict(student_module='0', teacher_module='0',
                methods=[dict(type='MimicLoss', name='loss_hint', normalize=True)])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    method = losses.methods['loss_hint']
    assert method.align is None and method.resize is not None and method.norm_student is not None
    out = _step(losses, student, teacher, x)
    s = nn.functional.interpolate(student[0](x), size=(4, 4), mode='bilinear', align_corners=False)
    t = teacher[0](x)
    norm = nn.functional.batch_norm
    expected = ((norm(s, None, None, training=True) - norm(t, None, None, training=True)) ** 2).mean()
    torch.testing.assert_close(out['loss_hint'], expected)


def test_student_inplace_relu_after_hooked_conv() -> None:
    """The student's hooked conv is followed by ReLU(inplace=True): the recording keeps pre-activation values."""
    student, teacher = _pair(c_s=8, c_t=8)
    cfg = [dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss', name='loss_hint')])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 6, 6)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    out = _step(losses, student, teacher, x)
    torch.testing.assert_close(out['loss_hint'], ((student[0](x) - teacher[0](x)) ** 2).mean())
    out['loss_hint'].backward()


def test_schedule_factor_and_stop_epoch_keep_graph() -> None:
    student, teacher = _pair(c_s=4, c_t=8)
    cfg = [dict(student_module='0', teacher_module='0',
                methods=[dict(type='MimicLoss', name='loss_hint',
                              schedule=dict(type='LinearWarmup', warmup=4, stop_epoch=2))])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 6, 6)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    assert losses.set_progress(TrainProgress(iter=0)) == {'loss_hint': 0.0}
    assert losses.set_progress(TrainProgress(iter=1)) == {'loss_hint': 0.25}
    quarter = _step(losses, student, teacher, x)['loss_hint']
    losses.set_progress(TrainProgress(iter=8))
    full = _step(losses, student, teacher, x)['loss_hint']
    torch.testing.assert_close(quarter, full * 0.25)
    losses.set_progress(TrainProgress(iter=20, epoch=2))
    off = _step(losses, student, teacher, x)['loss_hint']
    assert off.item() == 0 and off.requires_grad
    off.backward()
    assert losses.methods['loss_hint'].align.conv.weight.grad is not None


def test_shared_head_calls_are_summed_over_levels() -> None:
    class Head(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(3, c, 1)

        def forward(self, x):
            return [self.conv(x), self.conv(x[..., ::2, ::2])]

    student, teacher = nn.Sequential(Head(4)), nn.Sequential(Head(4))
    cfg = [dict(student_module='0.conv', teacher_module='0.conv',
                methods=[dict(type='MimicLoss', name='loss_levels')])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(1, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    got = _step(losses, student, teacher, x)['loss_levels']
    s, t = student(x), teacher(x)
    expected = sum(((a - b) ** 2).mean() for a, b in zip(s, t))
    torch.testing.assert_close(got, expected)


def test_compute_before_calibrate_is_explained() -> None:
    student, teacher = _pair()
    cfg = [dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss')])]
    with pytest.raises(RuntimeError, match=r'calibrate\(\) must run before'):
        DistillLossSet(cfg, student, teacher)()


def test_state_dict_holds_connectors_not_recordings() -> None:
    student, teacher = _pair()
    cfg = [dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss', name='loss_hint')])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(1, 3, 4, 4)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    keys = set(losses.state_dict())
    assert keys == {'methods.loss_hint.align.conv.weight', 'methods.loss_hint.align.conv.bias'}


def test_losses_run_in_float32_under_autocast() -> None:
    """Under AMP the features arrive in half precision; connectors and losses still compute in float32."""
    student, teacher = _pair()
    cfg = [dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss', name='loss_hint')])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 6, 6)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    align = losses.methods['loss_hint'].align
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = _step(losses, student, teacher, x)
        s_feat, t_feat = student[0](x), teacher[0](x)
    assert s_feat.dtype == torch.bfloat16 and out['loss_hint'].dtype == torch.float32
    expected = ((align(s_feat.float()) - t_feat.float()) ** 2).mean()
    torch.testing.assert_close(out['loss_hint'], expected)
