import numpy as np
import pytest
import torch

from distiller.losses.fsp import FSPLoss


def _fsp(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    n, c1, h, w = first.shape
    c2 = second.shape[1]
    g = np.zeros((n, c1, c2))
    for i in range(n):
        for a in range(c1):
            for b in range(c2):
                g[i, a, b] = sum(first[i, a, y, x] * second[i, b, y, x] for y in range(h) for x in range(w)) / (h * w)
    return g


def _reference(pair_s, pair_t) -> float:
    g_s = _fsp(*(x.double().numpy() for x in pair_s))
    g_t = _fsp(*(x.double().numpy() for x in pair_t))
    return float(((g_s - g_t) ** 2).mean())


def _pairs():
    torch.manual_seed(0)
    pair_s = (torch.randn(2, 3, 4, 4), torch.randn(2, 5, 4, 4))
    pair_t = (torch.randn(2, 3, 4, 4), torch.randn(2, 5, 4, 4))
    return pair_s, pair_t


def test_value_matches_formula():
    pair_s, pair_t = _pairs()
    assert FSPLoss()(pair_s, pair_t).item() == pytest.approx(_reference(pair_s, pair_t), rel=1e-5)


def test_student_and_teacher_may_differ_in_spatial_size():
    pair_s, _ = _pairs()
    torch.manual_seed(1)
    pair_t = [torch.randn(2, 3, 2, 3), torch.randn(2, 5, 2, 3)]
    assert FSPLoss()(pair_s, pair_t).item() == pytest.approx(_reference(pair_s, pair_t), rel=1e-5)


def test_second_map_is_resized_to_the_first():
    pair_s, pair_t = _pairs()
    # A spatially constant second map stays the same constant under bilinear resizing.
    constant = torch.randn(2, 5, 1, 1)
    small = (pair_s[0], constant.expand(2, 5, 2, 2))
    full = (pair_s[0], constant.expand(2, 5, 4, 4))
    assert FSPLoss()(small, pair_t).item() == pytest.approx(_reference(full, pair_t), rel=1e-5)


def test_zero_when_student_equals_teacher():
    pair_s, _ = _pairs()
    assert FSPLoss()(pair_s, [x.clone() for x in pair_s]).item() == pytest.approx(0.0, abs=1e-12)


def test_bad_inputs():
    pair_s, pair_t = _pairs()
    with pytest.raises(ValueError, match=r'student feature to be a pair of maps .* got tensor \(2, 3, 4, 4\)'):
        FSPLoss()(pair_s[0], pair_t)
    with pytest.raises(ValueError, match=r'teacher feature .* got a tuple of 1: tensor \(2, 3, 4, 4\)'):
        FSPLoss()(pair_s, pair_t[:1])
    with pytest.raises(ValueError, match='FSP matrices differ in shape'):
        FSPLoss()(pair_s, (pair_t[0], pair_t[1][:, :4]))
