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


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same shape, got \(2, 3, 4, 4\) and \(2, 3, 8, 8\); add an align'):
        MimicLoss()(torch.randn(2, 3, 4, 4), torch.randn(2, 3, 8, 8))
