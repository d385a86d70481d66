import numpy as np
import pytest
import torch

from distiller.losses.logit_mse import LogitMSELoss


def _levels():
    gen = torch.Generator().manual_seed(0)
    shapes = [(2, 5, 8, 8), (2, 5, 4, 4), (2, 5, 2, 2)]
    return ([torch.randn(*s, generator=gen) for s in shapes], [torch.randn(*s, generator=gen) for s in shapes])


def test_value_on_a_tensor_is_mean_squared_error():
    levels_S, levels_T = _levels()
    expected = np.mean((levels_S[0].double().numpy() - levels_T[0].double().numpy())**2)
    assert LogitMSELoss()(levels_S[0], levels_T[0]).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize('container', [list, tuple])
def test_value_on_levels_is_mean_of_per_level_mse(container):
    levels_S, levels_T = _levels()
    per_level = [np.mean((s.double().numpy() - t.double().numpy())**2) for s, t in zip(levels_S, levels_T)]
    loss = LogitMSELoss()(container(levels_S), container(levels_T))
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(sum(per_level) / len(per_level), rel=1e-6)


def test_zero_when_student_equals_teacher():
    levels_S, _ = _levels()
    assert LogitMSELoss()(levels_S, [x.clone() for x in levels_S]).item() == 0.0


def test_level_count_mismatch_is_reported():
    levels_S, levels_T = _levels()
    with pytest.raises(ValueError, match='same non-zero number of student and teacher levels, got 3 and 2'):
        LogitMSELoss()(levels_S, levels_T[:2])


def test_shape_mismatch_is_reported_with_its_level():
    levels_S, levels_T = _levels()
    with pytest.raises(ValueError, match=r'got \(2, 5, 4, 4\) and \(2, 5, 2, 2\) at level 1'):
        LogitMSELoss()(levels_S, [levels_T[0], levels_T[2], levels_T[2]])
