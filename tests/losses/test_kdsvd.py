import numpy as np
import pytest
import torch

from distiller.losses.kdsvd import KDSVDLoss


def _reference(s: np.ndarray, t: np.ndarray, k: int) -> float:
    terms = []
    for n in range(s.shape[0]):
        vh_s = np.linalg.svd(s[n].reshape(s.shape[1], -1), full_matrices=False)[2]
        vh_t = np.linalg.svd(t[n].reshape(t.shape[1], -1), full_matrices=False)[2]
        for i in range(k):
            terms.append(1 - abs(np.dot(vh_s[i], vh_t[i])))
    return float(np.mean(terms))


def _inputs(c_s: int = 3, c_t: int = 5):
    torch.manual_seed(0)
    return torch.randn(2, c_s, 3, 4), torch.randn(2, c_t, 3, 4)


@pytest.mark.parametrize('k', [1, 2, 3])
def test_value_matches_formula_with_different_channels(k):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), k)
    assert KDSVDLoss(k=k)(s, t).item() == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_gradient_descent_reduces_loss():
    s, t = _inputs()
    s.requires_grad_(True)
    loss = KDSVDLoss(k=1)
    optimizer = torch.optim.SGD([s], lr=1.0)
    start = loss(s, t).item()
    for _ in range(20):
        optimizer.zero_grad()
        loss(s, t).backward()
        optimizer.step()
    assert loss(s, t).item() < 0.5 * start


def test_zero_for_equal_sign_flipped_or_channel_mixed_student():
    s, t = _inputs(6, 3)
    loss = KDSVDLoss(k=2)
    assert loss(t, t.clone()).item() == pytest.approx(0.0, abs=1e-5)
    assert loss(-t, t).item() == pytest.approx(0.0, abs=1e-5)
    # A student whose channels are an isometric mix of the teacher's has the same spatial singular vectors.
    q = torch.linalg.qr(torch.randn(6, 3))[0]
    assert loss(torch.einsum('sc,nchw->nshw', q, t), t).item() == pytest.approx(0.0, abs=1e-5)


def test_degenerate_maps_are_finite():
    s, t = _inputs()
    s[:, 1:] = 0  # dead student channels: rank 1, tied zero singular values
    s.requires_grad_(True)
    loss = KDSVDLoss(k=2)
    value = loss(s, t)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(s.grad).all()
    # An all-zero teacher has no direction: nothing to match, the loss is 0 and still has a (zero) gradient.
    s.grad = None
    value = loss(s, torch.zeros_like(t))
    value.backward()
    assert value.item() == 0.0 and torch.equal(s.grad, torch.zeros_like(s))


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match=r'k=4 exceeds min\(C_S, C_T, H \* W\)'):
        KDSVDLoss(k=4)(s, t)
    with pytest.raises(ValueError, match='same N, H, W'):
        KDSVDLoss()(s, t[..., :2])
    with pytest.raises(ValueError, match='k must be an integer >= 1'):
        KDSVDLoss(k=0)
