import numpy as np
import pytest
import torch
from torch import nn

from distiller.losses.ft import FTLoss


def _set_identity(loss: FTLoss) -> None:
    with torch.no_grad():
        for conv in loss.translator:
            if isinstance(conv, nn.Conv2d):
                conv.weight.zero_()
                conv.weight[:, :, 1, 1] = torch.eye(conv.out_channels, conv.in_channels)
                conv.bias.zero_()


def _normalised(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(x.shape[0], -1)
    return flat / np.linalg.norm(flat, axis=1, keepdims=True)


def _inputs(c_s: int = 4, c_t: int = 4):
    torch.manual_seed(0)
    return torch.randn(2, c_s, 3, 3), torch.randn(2, c_t, 3, 3)


def test_value_with_identity_translator_and_paraphraser():
    s, t = _inputs()
    loss = FTLoss(4, 4)
    _set_identity(loss)
    s_np = s.double().numpy()
    factor_s = np.where(s_np > 0, s_np, 0.01 * s_np)  # two LeakyReLU(0.1) layers
    expected = np.abs(_normalised(factor_s) - _normalised(t.double().numpy())).mean()
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_value_with_projecting_paraphraser():
    s, t = _inputs(2, 5)
    loss = FTLoss(2, 5, factor_channels=2)
    _set_identity(loss)
    p = loss.paraphraser.double().numpy()
    assert p.shape == (2, 5)
    np.testing.assert_allclose(p @ p.T, np.eye(2), atol=1e-6)
    t_np = t.double().numpy()
    factor_t = np.zeros((2, 2, 3, 3))
    for n in range(2):
        for h in range(3):
            for w in range(3):
                factor_t[n, :, h, w] = p @ t_np[n, :, h, w]
    s_np = s.double().numpy()
    factor_s = np.where(s_np > 0, s_np, 0.01 * s_np)
    expected = np.abs(_normalised(factor_s) - _normalised(factor_t)).mean()
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_only_the_translator_is_trained():
    loss = FTLoss(3, 5, factor_channels=2)
    assert all(name.startswith('translator.') for name, _ in loss.named_parameters())
    assert 'paraphraser' in loss.state_dict()
    assert torch.equal(FTLoss(3, 5).paraphraser, torch.eye(5))


def test_zero_when_translated_student_equals_teacher():
    s, _ = _inputs()
    s = s.abs()
    loss = FTLoss(4, 4)
    _set_identity(loss)
    assert loss(s, 2.0 * s).item() == pytest.approx(0.0, abs=1e-7)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match=r'FTLoss expects a student \(N, 4, H, W\) and a teacher \(N, 5, H, W\)'):
        FTLoss(4, 5)(s, t)
    with pytest.raises(ValueError, match=r'factor_channels must be in \[1, teacher_channels=4\]'):
        FTLoss(4, 4, factor_channels=8)
