import numpy as np
import pytest
import torch

from distiller.losses.kd import KDLoss


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def reference_kd(preds_S, preds_T, tau):
    """KL(softmax(T / tau) || softmax(S / tau)) per sample (per position for dense logits), averaged, times tau^2."""
    rows_S = np.moveaxis(preds_S, 1, -1).reshape(-1, preds_S.shape[1])
    rows_T = np.moveaxis(preds_T, 1, -1).reshape(-1, preds_T.shape[1])
    total = 0.0
    for row_S, row_T in zip(rows_S, rows_T):
        p_s, p_t = _softmax(row_S / tau), _softmax(row_T / tau)
        total += np.sum(p_t * np.log(p_t / p_s))
    return total / len(rows_S) * tau**2


def _logits(shape):
    gen = torch.Generator().manual_seed(0)
    return 2 * torch.randn(*shape, generator=gen), 2 * torch.randn(*shape, generator=gen)


@pytest.mark.parametrize('shape', [(4, 6), (2, 5, 3, 3)])
@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_value_matches_formula(shape, tau):
    preds_S, preds_T = _logits(shape)
    loss = KDLoss(tau=tau)(preds_S, preds_T)
    assert loss.dim() == 0
    expected = reference_kd(preds_S.double().numpy(), preds_T.double().numpy(), tau)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_zero_when_student_equals_teacher():
    preds_S, _ = _logits((4, 6))
    assert KDLoss(tau=4.0)(preds_S, preds_S.clone()).item() == pytest.approx(0.0, abs=1e-6)


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same shape \(N, C, \.\.\.\), got \(4, 6\) and \(4, 7\)'):
        KDLoss()(torch.randn(4, 6), torch.randn(4, 7))


def test_groups_treat_each_block_of_channels_as_one_distribution():
    """groups=4 on (N, 4*K, A) is KD over K bins for each of the 4 blocks and every anchor (a DFL box head)."""
    preds_S, preds_T = _logits((2, 4 * 5, 7))
    loss = KDLoss(tau=2.0, groups=4)(preds_S, preds_T)
    rows_S = preds_S.double().numpy().reshape(2, 4, 5, 7)
    rows_T = preds_T.double().numpy().reshape(2, 4, 5, 7)
    total = 0.0
    for n in range(2):
        for side in range(4):
            for anchor in range(7):
                p_s, p_t = _softmax(rows_S[n, side, :, anchor] / 2.0), _softmax(rows_T[n, side, :, anchor] / 2.0)
                total += np.sum(p_t * np.log(p_t / p_s))
    assert loss.item() == pytest.approx(total / (2 * 4 * 7) * 4.0, rel=1e-5)


def test_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match='6 channels do not split into groups=4'):
        KDLoss(groups=4)(torch.randn(2, 6), torch.randn(2, 6))
    with pytest.raises(ValueError, match='groups must be a positive integer'):
        KDLoss(groups=0)


def test_class_weight_weighs_each_position_by_the_teachers_top_class():
    """Per-position KL times the weight of argmax(teacher), averaged over all positions (mmseg's weighted mean)."""
    preds_S, preds_T = _logits((2, 3, 4, 5))
    weights = [0.1, 1.0, 2.5]
    loss = KDLoss(tau=2.0, class_weight=weights)(preds_S, preds_T)
    rows_S = np.moveaxis(preds_S.double().numpy(), 1, -1).reshape(-1, 3)
    rows_T = np.moveaxis(preds_T.double().numpy(), 1, -1).reshape(-1, 3)
    total = 0.0
    for row_S, row_T in zip(rows_S, rows_T):
        p_s, p_t = _softmax(row_S / 2.0), _softmax(row_T / 2.0)
        total += weights[int(np.argmax(row_T))] * np.sum(p_t * np.log(p_t / p_s))
    assert loss.item() == pytest.approx(total / len(rows_S) * 4.0, rel=1e-5)
    unit = KDLoss(tau=2.0, class_weight=[1.0, 1.0, 1.0])(preds_S, preds_T)
    assert unit.item() == pytest.approx(KDLoss(tau=2.0)(preds_S, preds_T).item(), rel=1e-6)


def test_class_weight_bad_inputs():
    with pytest.raises(ValueError, match=r'class_weight must be a non-empty list of non-negative weights, '
                                         r'got \[1.0, -0.5\]'):
        KDLoss(class_weight=[1.0, -0.5])
    with pytest.raises(ValueError, match='class_weight has 3 entries for distributions over 6 classes'):
        KDLoss(class_weight=[1.0, 1.0, 1.0])(torch.randn(2, 6), torch.randn(2, 6))
