import itertools

import numpy as np
import pytest
import torch

from distiller.losses.rkd import RKDLoss


def _smooth_l1(x: float) -> float:
    return 0.5 * x**2 if abs(x) < 1 else abs(x) - 0.5


def _distances(emb: np.ndarray) -> list:
    pairs = [(i, j) for i, j in itertools.permutations(range(len(emb)), 2)]
    dist = [np.linalg.norm(emb[i] - emb[j]) for i, j in pairs]
    mean = np.mean(dist)
    return [d / mean for d in dist]


def _angles(emb: np.ndarray) -> list:
    cosines = []
    for i, j, k in itertools.permutations(range(len(emb)), 3):
        a, b = emb[i] - emb[j], emb[k] - emb[j]
        cosines.append(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))
    return cosines


def _reference(s: np.ndarray, t: np.ndarray, w_dist: float, w_angle: float) -> float:
    emb_s, emb_t = s.mean(axis=(2, 3)), t.mean(axis=(2, 3))
    dist = np.mean([_smooth_l1(a - b) for a, b in zip(_distances(emb_s), _distances(emb_t))])
    angle = np.mean([_smooth_l1(a - b) for a, b in zip(_angles(emb_s), _angles(emb_t))])
    return float(w_dist * dist + w_angle * angle)


def _inputs():
    torch.manual_seed(0)
    return torch.randn(4, 3, 2, 2), torch.randn(4, 5, 3, 3)


@pytest.mark.parametrize('w_dist,w_angle', [(25.0, 50.0), (1.0, 0.0), (0.0, 1.0)])
def test_value_matches_formula_with_different_shapes(w_dist, w_angle):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), w_dist, w_angle)
    assert RKDLoss(w_dist, w_angle)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_large_differences_use_the_linear_branch():
    s, t = _inputs()
    s = s * torch.tensor([1.0, 1.0, 1.0, 40.0]).view(4, 1, 1, 1)
    expected = _reference(s.double().numpy(), t.double().numpy(), 1.0, 1.0)
    assert RKDLoss(1.0, 1.0)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_for_scaled_or_rotated_teacher_embeddings():
    _, t = _inputs()
    assert RKDLoss()(t.clone(), t).item() == pytest.approx(0.0, abs=1e-6)
    assert RKDLoss()(3.0 * t, t).item() == pytest.approx(0.0, abs=1e-6)
    q = torch.linalg.qr(torch.randn(8, 5))[0]  # isometric embedding of the 5 teacher channels into 8
    assert RKDLoss()(torch.einsum('sc,nchw->nshw', q, t), t).item() == pytest.approx(0.0, abs=1e-5)


def test_identical_student_samples_keep_gradients_finite():
    s, t = _inputs()
    s[1] = s[0]
    s.requires_grad_(True)
    RKDLoss()(s, t).backward()
    assert torch.isfinite(s.grad).all()


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='needs at least 3 samples .* got 2; raise the batch size or set w_angle=0'):
        RKDLoss()(s[:2], t[:2])
    assert torch.isfinite(RKDLoss(w_angle=0.0)(s[:2], t[:2]))
    with pytest.raises(ValueError, match='same batch size N'):
        RKDLoss()(s, t[:3])
    with pytest.raises(ValueError, match='not both 0'):
        RKDLoss(0.0, 0.0)
