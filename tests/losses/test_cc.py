import math

import numpy as np
import pytest
import torch

from distiller.losses.cc import CCLoss


def _kernel(x: np.ndarray, gamma: float, order: int) -> np.ndarray:
    n = x.shape[0]
    emb = x.mean(axis=(2, 3))
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    k = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            c = np.dot(emb[i], emb[j])
            k[i, j] = math.exp(-2 * gamma) * sum((2 * gamma) ** p / math.factorial(p) * c**p for p in range(order + 1))
    return k


def _reference(s: np.ndarray, t: np.ndarray, gamma: float, order: int) -> float:
    n = s.shape[0]
    return float(((_kernel(s, gamma, order) - _kernel(t, gamma, order)) ** 2).sum() / n**2)


def _inputs():
    torch.manual_seed(0)
    return torch.randn(4, 3, 4, 4), torch.randn(4, 6, 2, 2)


@pytest.mark.parametrize('gamma,order', [(0.4, 2), (1.0, 1), (0.4, 4)])
def test_value_matches_formula_with_different_channels(gamma, order):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), gamma, order)
    assert CCLoss(gamma=gamma, p_order=order)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_high_order_approaches_exact_rbf_kernel():
    s, t = _inputs()

    def rbf(x):
        emb = x.double().mean(dim=(2, 3)).numpy()
        emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        return np.exp(-0.4 * ((emb[:, None] - emb[None]) ** 2).sum(-1))

    exact = ((rbf(s) - rbf(t)) ** 2).sum() / 16
    assert CCLoss(gamma=0.4, p_order=12)(s, t).item() == pytest.approx(exact, rel=1e-4)


def test_zero_when_student_equals_teacher():
    s, _ = _inputs()
    assert CCLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-12)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='same batch size N'):
        CCLoss()(s, t[:2])
    with pytest.raises(ValueError, match='p_order must be an integer >= 1'):
        CCLoss(p_order=0)
    with pytest.raises(ValueError, match='gamma must be positive'):
        CCLoss(gamma=-1)
