import numpy as np
import pytest
import torch

from distiller.losses.ab import ABLoss


def _reference(s: np.ndarray, t: np.ndarray, m: float) -> float:
    values = []
    for a, b in zip(s.ravel(), t.ravel()):
        if b <= 0:
            values.append((a + m) ** 2 if a > -m else 0.0)
        else:
            values.append((a - m) ** 2 if a <= m else 0.0)
    return float(np.mean(values))


def _inputs():
    torch.manual_seed(0)
    return 2 * torch.randn(2, 3, 3, 3), torch.randn(2, 3, 3, 3)


@pytest.mark.parametrize('margin', [1.0, 0.5, 0.0])
def test_value_matches_formula(margin):
    s, t = _inputs()
    expected = _reference(s.double().numpy(), t.double().numpy(), margin)
    assert ABLoss(margin=margin)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_zero_beyond_the_margin_on_the_teacher_side():
    _, t = _inputs()
    s = torch.where(t > 0, 1.5, -1.5)
    assert ABLoss(margin=1.0)(s, t).item() == 0.0
    # Matching the teacher's values is not enough: values inside the margin are still pushed out.
    assert ABLoss(margin=1.0)(t.clone(), t).item() > 0


def test_bad_inputs():
    s, t = _inputs()
    with pytest.raises(ValueError, match='same shape .* an align connector maps the student'):
        ABLoss()(s[:, :2], t)
    with pytest.raises(ValueError, match='margin must be >= 0'):
        ABLoss(margin=-1.0)
