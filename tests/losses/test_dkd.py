import numpy as np
import pytest
import torch

from distiller.losses.dkd import DKDLoss


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _kl(p, q):
    return np.sum(p * np.log(p / q))


def reference_dkd(preds_S, preds_T, targets, alpha, beta, tau):
    """TCKD and NCKD per sample with explicit loops, skipping labels 255 and -1."""
    rows_S = np.moveaxis(preds_S, 1, -1).reshape(-1, preds_S.shape[1])
    rows_T = np.moveaxis(preds_T, 1, -1).reshape(-1, preds_T.shape[1])
    total, count = 0.0, 0
    for row_S, row_T, label in zip(rows_S, rows_T, targets.ravel()):
        if label in (255, -1):
            continue
        p_s, p_t = _softmax(row_S / tau), _softmax(row_T / tau)
        tckd = _kl(np.array([p_t[label], 1 - p_t[label]]), np.array([p_s[label], 1 - p_s[label]]))
        nckd = _kl(_softmax(np.delete(row_T, label) / tau), _softmax(np.delete(row_S, label) / tau))
        total += alpha * tckd + beta * nckd
        count += 1
    return total / count * tau**2


def _logits(shape, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return 2 * torch.randn(*shape, generator=gen), 2 * torch.randn(*shape, generator=gen)


@pytest.mark.parametrize('alpha,beta,tau', [(1.0, 8.0, 4.0), (0.5, 2.0, 1.0)])
def test_value_matches_formula_on_classification_logits(alpha, beta, tau):
    preds_S, preds_T = _logits((5, 7))
    targets = torch.tensor([0, 3, 6, 3, 1])
    loss = DKDLoss(alpha=alpha, beta=beta, tau=tau)(preds_S, preds_T, targets=targets)
    assert loss.dim() == 0
    expected = reference_dkd(preds_S.double().numpy(), preds_T.double().numpy(), targets.numpy(), alpha, beta, tau)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_dense_logits_ignore_255_and_minus_one():
    preds_S, preds_T = _logits((2, 4, 3, 3))
    targets = torch.randint(0, 4, (2, 3, 3), generator=torch.Generator().manual_seed(1))
    targets[0, 0, 0] = 255
    targets[1, 2, 1] = -1
    loss = DKDLoss(alpha=1.0, beta=2.0, tau=2.0)(preds_S, preds_T, targets=targets)
    expected = reference_dkd(preds_S.double().numpy(), preds_T.double().numpy(), targets.numpy(), 1.0, 2.0, 2.0)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_dense_targets_of_another_size_are_resized_by_nearest_neighbour():
    preds_S, preds_T = _logits((2, 4, 3, 3))
    full_res = torch.randint(0, 4, (2, 6, 6), generator=torch.Generator().manual_seed(2))
    loss_fn = DKDLoss()
    torch.testing.assert_close(loss_fn(preds_S, preds_T, targets=full_res[:, None]),
                               loss_fn(preds_S, preds_T, targets=full_res[:, ::2, ::2]))


def test_all_ignored_gives_zero_with_a_gradient_path():
    preds_S, preds_T = _logits((2, 4, 3, 3))
    preds_S.requires_grad_(True)
    loss = DKDLoss()(preds_S, preds_T, targets=torch.full((2, 3, 3), 255))
    loss.backward()
    assert loss.item() == 0.0
    assert preds_S.grad is not None


def test_zero_when_student_equals_teacher():
    preds_S, _ = _logits((5, 7))
    loss = DKDLoss()(preds_S, preds_S.clone(), targets=torch.tensor([0, 1, 2, 3, 4]))
    assert loss.item() == pytest.approx(0.0, abs=1e-5)


def test_confident_logits_stay_finite():
    preds_S = torch.tensor([[60.0, -60.0, 0.0]], requires_grad=True)
    preds_T = torch.tensor([[80.0, 0.0, -80.0]])
    loss = DKDLoss(tau=1.0)(preds_S, preds_T, targets=torch.tensor([0]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(preds_S.grad).all()


def test_declares_its_extra_input():
    assert DKDLoss.requires == ('targets',)


def test_target_shape_mismatch_is_reported():
    preds_S, preds_T = _logits((5, 7))
    with pytest.raises(ValueError, match=r'targets of shape \(5,\) for logits of shape \(5, 7\), got \(4,\)'):
        DKDLoss()(preds_S, preds_T, targets=torch.tensor([0, 1, 2, 3]))


def test_out_of_range_target_is_reported():
    preds_S, preds_T = _logits((5, 7))
    with pytest.raises(ValueError, match=r'targets in \[0, 7\) or ignored \(255, -1\), got values from 0 to 9'):
        DKDLoss()(preds_S, preds_T, targets=torch.tensor([0, 1, 2, 3, 9]))


def test_float_targets_are_reported():
    preds_S, preds_T = _logits((5, 7))
    with pytest.raises(ValueError, match='integer class targets, got torch.float32'):
        DKDLoss()(preds_S, preds_T, targets=torch.zeros(5))
