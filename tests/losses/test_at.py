import numpy as np
import pytest
import torch

from distiller.losses.at import ATLoss


def _reference(s: np.ndarray, t: np.ndarray, p: float) -> float:
    total, count = 0.0, 0
    for n in range(s.shape[0]):
        a_s = (np.abs(s[n]) ** p).mean(axis=0).ravel()
        a_t = (np.abs(t[n]) ** p).mean(axis=0).ravel()
        a_s, a_t = a_s / np.linalg.norm(a_s), a_t / np.linalg.norm(a_t)
        for i in range(a_s.size):
            total += (a_s[i] - a_t[i]) ** 2
            count += 1
    return total / count


def _inputs(c_s: int = 4, c_t: int = 6):
    torch.manual_seed(0)
    return torch.randn(2, c_s, 3, 5), torch.randn(2, c_t, 3, 5)


@pytest.mark.parametrize('p', [1.0, 2.0, 3.0])
def test_value_matches_formula_with_different_channels(p):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), p)
    assert ATLoss(p=p)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_when_student_equals_teacher():
    s, _ = _inputs()
    assert ATLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-12)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match=r'ATLoss expects .* same N, H, W'):
        ATLoss()(s, t[:, :, :2])
    with pytest.raises(ValueError, match='p must be positive'):
        ATLoss(p=0)
