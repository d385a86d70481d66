import numpy as np
import pytest
import torch

from distiller.losses.sp import SPLoss


def _similarity(x: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    flat = x.reshape(n, -1)
    g = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            g[i, j] = np.dot(flat[i], flat[j])
        g[i] /= np.linalg.norm(g[i])
    return g


def _reference(s: np.ndarray, t: np.ndarray) -> float:
    n = s.shape[0]
    return float(((_similarity(s) - _similarity(t)) ** 2).sum() / n**2)


def _inputs():
    torch.manual_seed(0)
    return torch.randn(4, 3, 4, 4), torch.randn(4, 5, 2, 3)


def test_value_matches_formula_with_different_shapes():
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy())
    assert SPLoss()(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_when_student_equals_teacher():
    s, _ = _inputs()
    assert SPLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-12)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='same batch size N'):
        SPLoss()(s, t[:3])
