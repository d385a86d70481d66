import math

import pytest
import torch

from distiller.losses.binary_kd import BinaryKDLoss


def reference_binary_kd(preds_S, preds_T, tau):
    """Sum over classes of the Bernoulli KL(p_T || p_S) at every other position, averaged, times tau^2."""
    s = preds_S.double().movedim(1, -1).reshape(-1, preds_S.shape[1]).tolist()
    t = preds_T.double().movedim(1, -1).reshape(-1, preds_T.shape[1]).tolist()
    total = 0.0
    for row_s, row_t in zip(s, t):
        for z_s, z_t in zip(row_s, row_t):
            q = 1 / (1 + math.exp(-z_s / tau))
            p = 1 / (1 + math.exp(-z_t / tau))
            total += p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))
    return total / len(s) * tau**2


def _logits(shape):
    gen = torch.Generator().manual_seed(3)
    return 3 * torch.randn(*shape, generator=gen), 3 * torch.randn(*shape, generator=gen)


@pytest.mark.parametrize('shape', [(4, 6), (2, 10, 21)])
@pytest.mark.parametrize('tau', [1.0, 3.0])
def test_value_matches_formula(shape, tau):
    preds_S, preds_T = _logits(shape)
    loss = BinaryKDLoss(tau=tau)(preds_S, preds_T)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(reference_binary_kd(preds_S, preds_T, tau), rel=1e-5)


def test_zero_when_student_equals_teacher_and_positive_otherwise():
    preds_S, preds_T = _logits((2, 5, 8))
    assert BinaryKDLoss(tau=2.0)(preds_S, preds_S.clone()).item() == pytest.approx(0.0, abs=1e-6)
    assert BinaryKDLoss(tau=2.0)(preds_S, preds_T).item() > 0


def test_bad_inputs_are_reported():
    with pytest.raises(ValueError, match=r'same shape \(N, C, \.\.\.\), got \(2, 5\) and \(2, 6\)'):
        BinaryKDLoss()(torch.randn(2, 5), torch.randn(2, 6))
    with pytest.raises(ValueError, match='tau must be positive'):
        BinaryKDLoss(tau=0)
