import numpy as np
import pytest
import torch

from distiller.losses.mgd import MGDLoss


def _conv2d(x, weight, bias, padding):
    """Plain convolution (cross-correlation) with explicit loops over output positions."""
    n, _, h, w = x.shape
    k = weight.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((n, weight.shape[0], h + 2 * padding - k + 1, w + 2 * padding - k + 1))
    for y in range(out.shape[2]):
        for x_ in range(out.shape[3]):
            out[:, :, y, x_] = np.einsum('ncij,ocij->no', padded[:, :, y:y + k, x_:x_ + k], weight) + bias
    return out


def _np(param):
    return param.detach().double().numpy()


def reference_mgd(loss_fn, preds_S, preds_T, keep, alpha):
    """alpha * sum((conv3x3(relu(conv3x3(keep * align(S)))) - T)^2) / N, with the module's current weights."""
    if isinstance(loss_fn.align, torch.nn.Conv2d):
        preds_S = _conv2d(preds_S, _np(loss_fn.align.weight), _np(loss_fn.align.bias), padding=0)
    conv1, conv2 = loss_fn.generation[0], loss_fn.generation[2]
    hidden = np.maximum(_conv2d(preds_S * keep, _np(conv1.weight), _np(conv1.bias), padding=1), 0)
    generated = _conv2d(hidden, _np(conv2.weight), _np(conv2.bias), padding=1)
    return alpha * np.sum((generated - preds_T)**2) / preds_S.shape[0]


def _features(student_channels=3, teacher_channels=3):
    gen = torch.Generator().manual_seed(0)
    preds_S = torch.randn(2, student_channels, 4, 5, generator=gen)
    return preds_S, torch.randn(2, teacher_channels, 4, 5, generator=gen)


@pytest.mark.parametrize('student_channels', [3, 5])
def test_value_matches_formula_with_the_seeded_mask(student_channels):
    torch.manual_seed(0)
    loss_fn = MGDLoss(student_channels, 3, alpha_mgd=0.01, lambda_mgd=0.5)
    preds_S, preds_T = _features(student_channels)
    torch.manual_seed(7)
    loss = loss_fn(preds_S, preds_T)
    torch.manual_seed(7)
    keep = (torch.rand(2, 1, 4, 5) >= 0.5).double().numpy()
    assert 0 < keep.sum() < keep.size
    expected = reference_mgd(loss_fn, preds_S.double().numpy(), preds_T.double().numpy(), keep, 0.01)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_a_student_channel_count_builds_an_align_conv_only_when_needed():
    assert isinstance(MGDLoss(5, 3).align, torch.nn.Conv2d)
    assert isinstance(MGDLoss(3, 3).align, torch.nn.Identity)


def test_each_position_is_masked_with_probability_lambda():
    loss_fn = MGDLoss(2, 2, lambda_mgd=0.65)
    seen = []
    loss_fn.generation.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    torch.manual_seed(0)
    loss_fn(torch.ones(1, 2, 40, 40), torch.zeros(1, 2, 40, 40))
    masked = seen[0][0, 0] == 0
    assert torch.equal(masked, seen[0][0, 1] == 0)
    assert masked.float().mean().item() == pytest.approx(0.65, abs=0.05)


def test_mask_is_reproducible_under_manual_seed():
    loss_fn = MGDLoss(3, 3)
    preds_S, preds_T = _features()
    torch.manual_seed(3)
    first = loss_fn(preds_S, preds_T)
    torch.manual_seed(3)
    torch.testing.assert_close(loss_fn(preds_S, preds_T), first)


def test_channel_mismatch_is_reported():
    preds_S, preds_T = _features(3, 3)
    with pytest.raises(ValueError, match=r'student \(N, 4, H, W\) and a teacher \(N, 3, H, W\), got \(2, 3, 4, 5\)'):
        MGDLoss(4, 3)(preds_S, preds_T)


def test_lambda_outside_unit_interval_is_rejected():
    with pytest.raises(ValueError, match=r'masking probability in \[0, 1\), got 1.5'):
        MGDLoss(3, 3, lambda_mgd=1.5)
