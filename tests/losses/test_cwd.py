import numpy as np
import pytest
import torch

from distiller.losses.cwd import ChannelWiseDivergence


def reference_cwd(preds_S, preds_T, tau):
    """KL(teacher || student) per channel over spatial softmaxes, written with explicit loops."""
    n, c = preds_S.shape[:2]
    total = 0.0
    for i in range(n):
        for j in range(c):
            p_s = np.exp(preds_S[i, j].ravel() / tau)
            p_s /= p_s.sum()
            p_t = np.exp(preds_T[i, j].ravel() / tau)
            p_t /= p_t.sum()
            total += np.sum(p_t * (np.log(p_t) - np.log(p_s)))
    return total * tau**2 / (n * c)


def _features(seed=0, shape=(2, 3, 4, 5)):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=gen), torch.randn(*shape, generator=gen)


@pytest.mark.parametrize('tau', [1.0, 2.5])
def test_value_matches_formula(tau):
    preds_S, preds_T = _features()
    loss = ChannelWiseDivergence(tau=tau)(preds_S, preds_T)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(reference_cwd(preds_S.double().numpy(), preds_T.double().numpy(), tau),
                                        rel=1e-5)


def test_zero_when_student_equals_teacher():
    preds_S, _ = _features()
    assert ChannelWiseDivergence(tau=2.0)(preds_S, preds_S.clone()).item() == pytest.approx(0.0, abs=1e-6)


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same shape \(N, C, H, W\).*\(2, 3, 4, 4\) and \(2, 4, 4, 4\)'):
        ChannelWiseDivergence()(torch.randn(2, 3, 4, 4), torch.randn(2, 4, 4, 4))


def test_non_positive_tau_is_rejected():
    with pytest.raises(ValueError, match='tau must be positive'):
        ChannelWiseDivergence(tau=0)
