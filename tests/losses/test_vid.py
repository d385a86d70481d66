import math

import numpy as np
import pytest
import torch
from torch import nn

from distiller.losses.vid import VIDLoss


def _set_identity(loss: VIDLoss) -> None:
    with torch.no_grad():
        for conv in loss.regressor:
            if isinstance(conv, nn.Conv2d):
                conv.weight.copy_(torch.eye(conv.out_channels, conv.in_channels).view_as(conv.weight))
                conv.bias.zero_()


def _conv1x1(x: np.ndarray, conv: nn.Conv2d) -> np.ndarray:
    w = conv.weight.detach().double().numpy()[:, :, 0, 0]
    b = conv.bias.detach().double().numpy()
    out = np.zeros((x.shape[0], w.shape[0]) + x.shape[2:])
    for n in range(x.shape[0]):
        for h in range(x.shape[2]):
            for v in range(x.shape[3]):
                out[n, :, h, v] = w @ x[n, :, h, v] + b
    return out


def _reference(loss: VIDLoss, s: np.ndarray, t: np.ndarray) -> float:
    convs = [m for m in loss.regressor if isinstance(m, nn.Conv2d)]
    h = np.maximum(_conv1x1(s, convs[0]), 0)
    h = np.maximum(_conv1x1(h, convs[1]), 0)
    mean = _conv1x1(h, convs[2])
    alpha = loss.alpha.detach().double().numpy()
    var = np.log1p(np.exp(alpha)) + loss.eps
    nll = 0.5 * (np.log(var)[None, :, None, None] + (t - mean) ** 2 / var[None, :, None, None])
    return float(nll.mean())


def _inputs(c_s: int = 3, c_t: int = 5):
    torch.manual_seed(0)
    return torch.randn(2, c_s, 3, 3), torch.randn(2, c_t, 3, 3)


def test_initial_variance():
    loss = VIDLoss(3, 5, init_pred_var=5.0, eps=1e-5)
    var = torch.nn.functional.softplus(loss.alpha) + loss.eps
    torch.testing.assert_close(var, torch.full((5,), 5.0))


def test_value_with_identity_regressor():
    s, t = _inputs(4, 4)
    loss = VIDLoss(4, 4)
    _set_identity(loss)
    mean = np.maximum(s.double().numpy(), 0)
    expected = (0.5 * (math.log(5.0) + (t.double().numpy() - mean) ** 2 / 5.0)).mean()
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_value_with_random_regressor_and_different_channels():
    s, t = _inputs()
    loss = VIDLoss(3, 5, mid_channels=2)
    with torch.no_grad():
        loss.alpha.uniform_(-1.0, 2.0)
    expected = _reference(loss, s.double().numpy(), t.double().numpy())
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_minimal_when_mean_is_exact():
    s, _ = _inputs(4, 4)
    s = s.abs()
    loss = VIDLoss(4, 4)
    _set_identity(loss)
    assert loss(s, s.clone()).item() == pytest.approx(0.5 * math.log(5.0), rel=1e-6)


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match=r'VIDLoss expects a student \(N, 3, H, W\) and a teacher \(N, 5, H, W\)'):
        VIDLoss(3, 5)(s, t[:, :4])
    with pytest.raises(ValueError, match='0 < eps < init_pred_var'):
        VIDLoss(3, 5, init_pred_var=0.0)
