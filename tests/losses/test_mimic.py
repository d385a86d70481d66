import numpy as np
import pytest
import torch

from distiller.losses.mimic import MimicLoss


def _features(shape=(2, 3, 4, 4)):
    gen = torch.Generator().manual_seed(0)
    return torch.randn(*shape, generator=gen), torch.randn(*shape, generator=gen)


def test_value_is_mean_squared_error():
    preds_S, preds_T = _features()
    expected = np.mean((preds_S.double().numpy() - preds_T.double().numpy())**2)
    loss = MimicLoss()(preds_S, preds_T)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_zero_when_student_equals_teacher():
    preds_S, _ = _features()
    assert MimicLoss()(preds_S, preds_S.clone()).item() == 0.0


def test_gradient_reaches_student_only():
    preds_S, preds_T = _features()
    preds_S.requires_grad_(True)
    preds_T.requires_grad_(True)
    MimicLoss()(preds_S, preds_T).backward()
    assert preds_S.grad is not None and preds_S.grad.abs().sum() > 0
    assert preds_T.grad is None


def test_bf16_autocast_computes_in_fp32():
    preds_S, preds_T = (x.bfloat16() for x in _features())
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = MimicLoss()(preds_S, preds_T)
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, MimicLoss()(preds_S.float(), preds_T.float()))


def test_weight_scales_loss():
    preds_S, preds_T = _features()
    torch.testing.assert_close(MimicLoss(weight=0.5)(preds_S, preds_T), 0.5 * MimicLoss()(preds_S, preds_T))


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same shape, got \(2, 3, 4, 4\) and \(2, 3, 8, 8\); add an align'):
        MimicLoss()(torch.randn(2, 3, 4, 4), torch.randn(2, 3, 8, 8))
