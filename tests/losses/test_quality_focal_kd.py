import math

import pytest
import torch

from distiller.losses.quality_focal_kd import QualityFocalKDLoss


def reference_quality_focal_kd(preds_S, preds_T, beta):
    """Sum of BCE(q, p) |q - p|^beta over classes and positions, over the sum of the teacher's top score per
    position (at least 1), element by element in float64."""
    s = preds_S.double().movedim(1, -1).reshape(-1, preds_S.shape[1]).tolist()
    t = preds_T.double().movedim(1, -1).reshape(-1, preds_T.shape[1]).tolist()
    total, objects = 0.0, 0.0
    for row_s, row_t in zip(s, t):
        probs_t = [1 / (1 + math.exp(-z)) for z in row_t]
        objects += max(probs_t)
        for z_s, p in zip(row_s, probs_t):
            q = 1 / (1 + math.exp(-z_s))
            total += -(p * math.log(q) + (1 - p) * math.log(1 - q)) * abs(q - p)**beta
    return total / max(objects, 1.0)


def _logits(shape, seed=3):
    gen = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(*shape, generator=gen), 3 * torch.randn(*shape, generator=gen)


@pytest.mark.parametrize('shape', [(4, 6), (2, 10, 5, 7)])
@pytest.mark.parametrize('beta', [0.0, 1.0, 2.0])
def test_value_matches_formula(shape, beta):
    preds_S, preds_T = _logits(shape)
    loss = QualityFocalKDLoss(beta=beta)(preds_S, preds_T)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(reference_quality_focal_kd(preds_S, preds_T, beta), rel=1e-5)


def test_soft_object_count_is_at_least_one():
    """A teacher confident of nothing divides by 1, not by its tiny scores."""
    preds_S, _ = _logits((1, 3, 2, 2))
    preds_T = torch.full((1, 3, 2, 2), -12.0)
    loss = QualityFocalKDLoss()(preds_S, preds_T)
    assert loss.item() == pytest.approx(reference_quality_focal_kd(preds_S, preds_T, 1.0), rel=1e-5)


def test_zero_focus_when_student_equals_teacher():
    preds_S, preds_T = _logits((2, 5, 4))
    assert QualityFocalKDLoss()(preds_T.clone(), preds_T).item() == pytest.approx(0.0, abs=1e-7)
    assert QualityFocalKDLoss()(preds_S, preds_T).item() > 0


def test_bad_inputs_are_reported():
    with pytest.raises(ValueError, match=r'QualityFocalKDLoss expects student and teacher class logits of the same '
                                         r'shape \(N, C, \.\.\.\), got \(2, 5\) and \(2, 6\)'):
        QualityFocalKDLoss()(torch.randn(2, 5), torch.randn(2, 6))
    with pytest.raises(ValueError, match='beta must be >= 0, got -1'):
        QualityFocalKDLoss(beta=-1)
