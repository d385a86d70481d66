import numpy as np
import pytest
import torch

from distiller.losses.nst import NSTLoss


def _mean_kernel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([np.dot(x, y) ** 2 for x in a for y in b]))


def _reference(s: np.ndarray, t: np.ndarray) -> float:
    mmds = []
    for n in range(s.shape[0]):
        a = s[n].reshape(s.shape[1], -1)
        b = t[n].reshape(t.shape[1], -1)
        a = a / np.linalg.norm(a, axis=1, keepdims=True)
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
        mmds.append(_mean_kernel(a, a) + _mean_kernel(b, b) - 2 * _mean_kernel(a, b))
    return float(np.mean(mmds))


def _inputs():
    torch.manual_seed(0)
    return torch.randn(2, 3, 3, 3), torch.randn(2, 5, 3, 3)


def test_value_matches_formula_with_different_channels():
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy())
    assert NSTLoss()(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_for_the_same_set_of_channel_maps():
    s, _ = _inputs()
    assert NSTLoss()(s, s.clone()).item() == pytest.approx(0.0, abs=1e-6)
    # The loss compares distributions: each channel map repeated twice (and scaled) is the same distribution.
    teacher = 2.0 * torch.cat([s, s.flip(1)], dim=1)
    assert NSTLoss()(s, teacher).item() == pytest.approx(0.0, abs=1e-6)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='same N, H, W'):
        NSTLoss()(s, t[:, :, :2])
