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


def test_gradient_reaches_student_only():
    preds_S, preds_T = _features()
    preds_S.requires_grad_(True)
    preds_T.requires_grad_(True)
    ChannelWiseDivergence()(preds_S, preds_T).backward()
    assert preds_S.grad is not None and preds_S.grad.abs().sum() > 0
    assert preds_T.grad is None


def test_bf16_autocast_computes_in_fp32():
    preds_S, preds_T = (x.bfloat16() for x in _features())
    loss_fn = ChannelWiseDivergence(tau=2.0)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = loss_fn(preds_S, preds_T)
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, loss_fn(preds_S.float(), preds_T.float()), rtol=1e-5, atol=1e-6)


def test_weight_scales_loss():
    preds_S, preds_T = _features()
    expected = 2.5 * ChannelWiseDivergence()(preds_S, preds_T)
    torch.testing.assert_close(ChannelWiseDivergence(weight=2.5)(preds_S, preds_T), expected)


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same shape \(N, C, H, W\).*\(2, 3, 4, 4\) and \(2, 4, 4, 4\)'):
        ChannelWiseDivergence()(torch.randn(2, 3, 4, 4), torch.randn(2, 4, 4, 4))


def test_non_positive_tau_is_rejected():
    with pytest.raises(ValueError, match='tau must be positive'):
        ChannelWiseDivergence(tau=0)
