"""Checks every distillation loss must pass, applied to each registered loss by ``tests/losses/test_loss_contract.py``.

The student and teacher features may be a tensor or a (nested) list/tuple of tensors (FSP's pair of maps, the levels
of ``LogitMSELoss``); extra keyword inputs (``targets``, ``gt_bboxes``) are passed through. Every call of the loss
is made right after ``torch.manual_seed(0)``, so losses that draw random numbers (MGD's mask) compute the same
value in the calls a check compares.
"""
from typing import Any, Callable, Dict, List, Optional

import torch
from torch import Tensor, nn


def map_tensors(fn: Callable[[Tensor], Tensor], x: Any) -> Any:
    """``x`` with ``fn`` applied to every tensor in it, lists and tuples kept as they are."""
    if isinstance(x, Tensor):
        return fn(x)
    if isinstance(x, (list, tuple)):
        return type(x)(map_tensors(fn, item) for item in x)
    return x


def tensors(x: Any) -> List[Tensor]:
    """The tensors in ``x``, in order."""
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for item in x for t in tensors(item)]
    return []


def seeded_call(loss: nn.Module, s: Any, t: Any, **kwargs: Any) -> Tensor:
    """``loss(s, t, **kwargs)`` after seeding torch's global generator."""
    torch.manual_seed(0)
    return loss(s, t, **kwargs)


def assert_finite_scalar(loss: nn.Module, s: Any, t: Any, **kwargs: Any) -> None:
    """The loss is a finite float32 scalar."""
    out = seeded_call(loss, s, t, **kwargs)
    assert out.dim() == 0 and out.dtype == torch.float32, (tuple(out.shape), out.dtype)
    assert torch.isfinite(out), out


def assert_gradient_reaches_student_only(loss: nn.Module, s: Any, t: Any, **kwargs: Any) -> None:
    """Backward through the loss gives every student tensor a finite, non-zero gradient, no teacher tensor any, and
    every parameter of the loss (its connectors, generators, regressors) a gradient."""
    s = map_tensors(lambda x: x.detach().clone().requires_grad_(True), s)
    t = map_tensors(lambda x: x.detach().clone().requires_grad_(True), t)
    seeded_call(loss, s, t, **kwargs).backward()
    for x in tensors(s):
        assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    for x in tensors(t):
        assert x.grad is None
    for name, param in loss.named_parameters():
        assert param.grad is not None, f'no gradient reached the loss parameter {name}'


def assert_bf16_autocast_returns_float32(loss: nn.Module, s: Any, t: Any, rounded_tol: Optional[Dict] = None,
                                         fp32_tol: Optional[Dict] = None, **kwargs: Any) -> None:
    """Under bf16 autocast, on bf16 features, the loss computes in float32: its value is float32 and equals the fp32
    loss on the bf16-rounded features (``rounded_tol``: ``assert_close`` tolerances, default its float32 ones);
    with ``fp32_tol`` it is also that close to the fp32 loss on the unrounded features."""
    to_bf16 = map_tensors(torch.Tensor.bfloat16, (s, t))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = seeded_call(loss, *to_bf16, **kwargs)
    assert out.dtype == torch.float32
    rounded = map_tensors(torch.Tensor.float, to_bf16)
    torch.testing.assert_close(out, seeded_call(loss, *rounded, **kwargs), **(rounded_tol or {}))
    if fp32_tol is not None:
        torch.testing.assert_close(out, seeded_call(loss, s, t, **kwargs), **fp32_tol)


def assert_weight_scales(make_loss: Callable[..., nn.Module], s: Any, t: Any, weight: float = 3.0,
                         **kwargs: Any) -> None:
    """``weight=w`` multiplies the value by ``w`` (a loss with parameters gets the unweighted loss's state)."""
    base = make_loss()
    scaled = make_loss(weight=weight)
    scaled.load_state_dict(base.state_dict())
    torch.testing.assert_close(seeded_call(scaled, s, t, **kwargs), weight * seeded_call(base, s, t, **kwargs))
