import numpy as np
import pytest
import torch

from distiller.losses.pkd import PKDLoss


def reference_pkd(preds_S, preds_T):
    """The authors' normalisation in numpy: per channel over (N, H, W), ``(x - mean) / (std + 1e-6)`` with the
    unbiased (ddof=1) standard deviation, then half the mean squared error."""
    def norm(x):
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        std = x.std(axis=(0, 2, 3), ddof=1, keepdims=True)
        return (x - mean) / (std + 1e-6)
    return 0.5 * np.mean((norm(preds_S) - norm(preds_T)) ** 2)


def pearson_form(preds_S, preds_T):
    """The same value through the Pearson correlation r_c of each channel's M = N * H * W values:
    (M - 1) / M * (1 - mean_c r_c) (the unbiased variance makes the standardised values' mean square (M - 1) / M)."""
    m = preds_S.shape[0] * preds_S.shape[2] * preds_S.shape[3]
    correlations = [np.corrcoef(preds_S[:, c].ravel(), preds_T[:, c].ravel())[0, 1] for c in range(preds_S.shape[1])]
    return (m - 1) / m * (1.0 - np.mean(correlations))


def _pool2x2(x):
    """2x2 average pooling, which is what a bilinear (align_corners=False) halving of the size computes."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def _features(shape_S=(2, 3, 4, 4), shape_T=(2, 3, 4, 4), seed=0):
    gen = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(*shape_S, generator=gen) + 1, torch.randn(*shape_T, generator=gen)


def test_value_matches_the_authors_unbiased_std_normalisation():
    preds_S, preds_T = _features()
    loss = PKDLoss()(preds_S, preds_T)
    assert loss.dim() == 0
    s, t = preds_S.double().numpy(), preds_T.double().numpy()
    assert loss.item() == pytest.approx(reference_pkd(s, t), abs=1e-6)
    assert loss.item() == pytest.approx(pearson_form(s, t), abs=1e-5)
    population = 1.0 - np.mean([np.corrcoef(s[:, c].ravel(), t[:, c].ravel())[0, 1] for c in range(3)])
    assert abs(loss.item() - population) > 1e-3  # the population-variance form is measurably different here


def test_zero_for_any_positive_affine_map_of_the_teacher():
    _, preds_T = _features()
    scale = torch.tensor([0.5, 2.0, 7.0]).reshape(1, 3, 1, 1)
    shift = torch.tensor([-1.0, 0.0, 4.0]).reshape(1, 3, 1, 1)
    assert PKDLoss()(preds_T.clone(), preds_T).item() == pytest.approx(0.0, abs=1e-5)
    assert PKDLoss()(preds_T * scale + shift, preds_T).item() == pytest.approx(0.0, abs=1e-5)


def test_levels_are_summed():
    level0, level1 = _features(seed=0), _features(shape_S=(2, 3, 2, 2), shape_T=(2, 3, 2, 2), seed=1)
    expected = sum(reference_pkd(s.double().numpy(), t.double().numpy()) for s, t in (level0, level1))
    loss = PKDLoss()((level0[0], level1[0]), [level0[1], level1[1]])
    assert loss.item() == pytest.approx(expected, abs=1e-5)


def test_student_is_resized_to_the_teacher():
    preds_S, preds_T = _features(shape_S=(2, 3, 8, 8), shape_T=(2, 3, 4, 4))
    expected = reference_pkd(_pool2x2(preds_S.double().numpy()), preds_T.double().numpy())
    assert PKDLoss(resize_stu=True)(preds_S, preds_T).item() == pytest.approx(expected, abs=1e-5)


def test_teacher_is_resized_to_the_student():
    preds_S, preds_T = _features(shape_S=(2, 3, 4, 4), shape_T=(2, 3, 8, 8))
    expected = reference_pkd(preds_S.double().numpy(), _pool2x2(preds_T.double().numpy()))
    assert PKDLoss(resize_stu=False)(preds_S, preds_T).item() == pytest.approx(expected, abs=1e-5)


def test_channel_mismatch_is_reported():
    with pytest.raises(ValueError, match=r'same N and C, got \(2, 3, 4, 4\) and \(2, 5, 4, 4\) at level 0'):
        PKDLoss()(torch.randn(2, 3, 4, 4), torch.randn(2, 5, 4, 4))


def test_level_count_mismatch_is_reported():
    preds_S, preds_T = _features()
    with pytest.raises(ValueError, match='same non-zero number of student and teacher levels, got 2 and 1'):
        PKDLoss()([preds_S, preds_S], [preds_T])
