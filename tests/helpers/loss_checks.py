"""Checks every distillation loss must pass, shared by the per-loss test files (imported, not collected)."""
from typing import Callable

import torch
from torch import Tensor, nn


def assert_gradient_reaches_student_only(loss: nn.Module, s: Tensor, t: Tensor) -> None:
    """Backward through ``loss(s, t)`` gives the student a finite, non-zero gradient and the teacher none."""
    s = s.detach().clone().requires_grad_(True)
    t = t.detach().clone().requires_grad_(True)
    loss(s, t).backward()
    assert s.grad is not None and torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0
    assert t.grad is None


def assert_bf16_autocast_returns_float32(loss: nn.Module, s: Tensor, t: Tensor) -> None:
    """Under bf16 autocast the loss computes in float32: same as the fp32 loss on the bf16-rounded inputs."""
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = loss(s.bfloat16(), t.bfloat16())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, loss(s.bfloat16().float(), t.bfloat16().float()))
    torch.testing.assert_close(out, loss(s, t), rtol=5e-2, atol=1e-4)


def assert_weight_scales(make_loss: Callable[..., nn.Module], s: Tensor, t: Tensor) -> None:
    """``weight=3`` triples the value."""
    torch.testing.assert_close(make_loss(weight=3.0)(s, t), 3.0 * make_loss()(s, t))
