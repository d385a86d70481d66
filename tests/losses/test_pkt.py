import numpy as np
import pytest
import torch

from distiller.losses.pkt import PKTLoss


def _probabilities(x: np.ndarray) -> np.ndarray:
    emb = x.mean(axis=(2, 3))
    n = emb.shape[0]
    p = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            cos = np.dot(emb[i], emb[j]) / np.linalg.norm(emb[i]) / np.linalg.norm(emb[j])
            p[i, j] = (cos + 1) / 2
        p[i] /= p[i].sum()
    return p


def _reference(s: np.ndarray, t: np.ndarray, eps: float) -> float:
    p_s, p_t = _probabilities(s), _probabilities(t)
    n = s.shape[0]
    kl_rows = [sum(p_t[i, j] * np.log((p_t[i, j] + eps) / (p_s[i, j] + eps)) for j in range(n)) for i in range(n)]
    return float(np.mean(kl_rows) / n)


def _inputs():
    torch.manual_seed(0)
    return torch.randn(4, 3, 2, 2), torch.randn(4, 6, 3, 3)


@pytest.mark.parametrize('eps', [1e-7, 1e-2])
def test_value_matches_formula_with_different_shapes(eps):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), eps)
    assert PKTLoss(eps=eps)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_when_student_equals_teacher():
    s, _ = _inputs()
    assert PKTLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-7)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='same batch size N'):
        PKTLoss()(s, t[:2])
    with pytest.raises(ValueError, match=r'PKTLoss expects .* \(N, C, H, W\)'):
        PKTLoss()(s.flatten(2), t)
    with pytest.raises(ValueError, match='eps must be positive'):
        PKTLoss(eps=0)
