"""What every registered distillation loss must do, checked once per loss.

A finite float32 scalar; a gradient that reaches every student input (finite, non-zero) and the loss's own
parameters, never the teacher; ``weight`` scaling the value linearly; under bf16 autocast a float32 result equal to
the fp32 loss on the bf16-rounded inputs. The value of each loss against an independent formula is tested in its
own ``test_<loss>.py``.

Every loss in ``DISTILL_LOSSES`` needs an entry in ``CASES`` (a constructor and inputs it accepts), so a newly
registered loss fails ``test_every_registered_loss_has_a_case`` until it is added here.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import pytest
import torch
from torch import nn

import distiller.losses as L  # registers every loss
from distiller.registry import DISTILL_LOSSES

from tests.helpers.loss_checks import (assert_bf16_autocast_returns_float32, assert_finite_scalar,
                                       assert_gradient_reaches_student_only, assert_weight_scales)

# Tolerances of the comparison of the bf16 result with the fp32 loss on the unrounded inputs.
BF16_VS_FP32 = dict(rtol=5e-2, atol=1e-4)


@dataclass
class Case:
    """How to build a loss and feed it.

    Attributes:
        make: Builds the loss; called with ``weight=...`` or no argument.
        inputs: Returns fresh ``(preds_S, preds_T)``.
        extra: Returns the keyword inputs the loss ``requires``.
        rounded_tol: ``assert_close`` tolerances of the bf16 result against the fp32 loss on the rounded inputs.
        fp32_tol: Same against the fp32 loss on the unrounded inputs; None: not compared.
    """

    make: Callable[..., nn.Module]
    inputs: Callable[[], Tuple[Any, Any]]
    extra: Callable[[], Dict[str, Any]] = dict
    rounded_tol: Dict[str, float] = field(default_factory=dict)
    fp32_tol: Optional[Dict[str, float]] = None


def _seeded(*shapes, scale_S: float = 1.0, shift_S: float = 0.0, scale_T: float = 1.0, seed: int = 0):
    """Student and teacher maps from a seeded generator (the student drawn first)."""
    gen = torch.Generator().manual_seed(seed)
    shape_S, shape_T = shapes if len(shapes) == 2 else shapes * 2
    return (scale_S * torch.randn(*shape_S, generator=gen) + shift_S, scale_T * torch.randn(*shape_T, generator=gen))


def _levels():
    gen = torch.Generator().manual_seed(0)
    shapes = [(2, 5, 8, 8), (2, 5, 4, 4), (2, 5, 2, 2)]
    return [torch.randn(*s, generator=gen) for s in shapes], [torch.randn(*s, generator=gen) for s in shapes]


def _pairs():
    gen = torch.Generator().manual_seed(0)
    pair_S = (torch.randn(2, 3, 4, 4, generator=gen), torch.randn(2, 5, 4, 4, generator=gen))
    pair_T = (torch.randn(2, 3, 4, 4, generator=gen), torch.randn(2, 5, 4, 4, generator=gen))
    return pair_S, pair_T


def _fgd_inputs() -> Dict[str, Any]:
    """Three 32 x 48 images seen by a 4 x 6 map: two boxes, no box, one box over the whole image."""
    boxes = [torch.tensor([[0.0, 0.0, 16.0, 8.0], [8.0, 4.0, 20.0, 20.0]]), torch.zeros(0, 4),
             torch.tensor([[0.0, 0.0, 48.0, 32.0]])]
    return dict(gt_bboxes=boxes, img_shapes=[(32, 48)] * 3)


def _distances():
    """Two levels of positive distance maps (the student drawn first) and the teacher's class logits as extra."""
    gen = torch.Generator().manual_seed(0)
    shapes = [(2, 4, 4, 4), (2, 4, 2, 2)]
    return ([4 * torch.rand(*s, generator=gen) + 0.1 for s in shapes],
            [4 * torch.rand(*s, generator=gen) + 0.1 for s in shapes])


def _class_logits():
    gen = torch.Generator().manual_seed(1)
    return dict(teacher_outputs={'head.cls': [3 * torch.randn(2, 5, 4, 4, generator=gen),
                                              3 * torch.randn(2, 5, 2, 2, generator=gen)]})


CASES: Dict[str, Case] = {
    'ABLoss': Case(L.ABLoss, lambda: _seeded((2, 3, 3, 3), scale_S=2.0), fp32_tol=BF16_VS_FP32),
    'ATLoss': Case(L.ATLoss, lambda: _seeded((2, 4, 3, 5), (2, 6, 3, 5)), fp32_tol=BF16_VS_FP32),
    'BinaryKDLoss': Case(lambda **kw: L.BinaryKDLoss(tau=2.0, **kw),
                         lambda: _seeded((2, 5, 8), scale_S=3.0, scale_T=3.0, seed=3), fp32_tol=BF16_VS_FP32),
    'CCLoss': Case(L.CCLoss, lambda: _seeded((4, 3, 4, 4), (4, 6, 2, 2)), fp32_tol=BF16_VS_FP32),
    # Eval mode: CRD updates its memory and fixes Z only while training, so the repeated calls compare equal.
    'CRDLoss': Case(lambda **kw: L.CRDLoss(3, 5, feat_dim=8, num_negatives=16, **kw).eval(),
                    lambda: _seeded((4, 3, 4, 4), (4, 5, 2, 3)), fp32_tol=BF16_VS_FP32),
    'ChannelWiseDivergence': Case(lambda **kw: L.ChannelWiseDivergence(tau=2.0, **kw), lambda: _seeded((2, 3, 4, 5)),
                                  rounded_tol=dict(rtol=1e-5, atol=1e-6)),
    'DeltaGIoUKDLoss': Case(lambda **kw: L.DeltaGIoUKDLoss('head.cls', target_stds=(0.1, 0.1, 0.2, 0.2), **kw),
                            _distances, extra=_class_logits, fp32_tol=BF16_VS_FP32),
    'DistanceGIoUKDLoss': Case(lambda **kw: L.DistanceGIoUKDLoss('head.cls', **kw), _distances,
                               extra=_class_logits, fp32_tol=BF16_VS_FP32),
    'DKDLoss': Case(L.DKDLoss, lambda: _seeded((5, 7), scale_S=2.0, scale_T=2.0),
                    extra=lambda: dict(targets=torch.tensor([0, 1, 2, 3, 4]))),
    # A 6-channel student: the loss's align conv is trained too.
    'FGDLoss': Case(lambda **kw: L.FGDLoss(6, 4, **kw), lambda: _seeded((3, 6, 4, 6), (3, 4, 4, 6)),
                    extra=_fgd_inputs),
    'FSPLoss': Case(L.FSPLoss, _pairs, fp32_tol=BF16_VS_FP32),
    'FTLoss': Case(lambda **kw: L.FTLoss(3, 5, factor_channels=2, **kw), lambda: _seeded((2, 3, 3, 3), (2, 5, 3, 3)),
                   fp32_tol=BF16_VS_FP32),
    'KDLoss': Case(lambda **kw: L.KDLoss(tau=2.0, **kw), lambda: _seeded((4, 6), scale_S=2.0, scale_T=2.0)),
    'KDSVDLoss': Case(lambda **kw: L.KDSVDLoss(k=2, **kw), lambda: _seeded((2, 3, 3, 4), (2, 5, 3, 4)),
                      fp32_tol=dict(rtol=5e-2, atol=1e-3)),
    'LogitMSELoss': Case(L.LogitMSELoss, _levels),
    # A 5-channel student: the loss's align conv is trained too.
    'MGDLoss': Case(lambda **kw: L.MGDLoss(5, 3, **kw), lambda: _seeded((2, 5, 4, 5), (2, 3, 4, 5))),
    'MimicLoss': Case(L.MimicLoss, lambda: _seeded((2, 3, 4, 4))),
    'NSTLoss': Case(L.NSTLoss, lambda: _seeded((2, 3, 3, 3), (2, 5, 3, 3)), fp32_tol=BF16_VS_FP32),
    # A student at twice the teacher's size: the gradient also flows through the resize.
    'PKDLoss': Case(L.PKDLoss, lambda: _seeded((2, 3, 8, 8), (2, 3, 4, 4), scale_S=3.0, shift_S=1.0)),
    'PKTLoss': Case(L.PKTLoss, lambda: _seeded((4, 3, 2, 2), (4, 6, 3, 3)), fp32_tol=BF16_VS_FP32),
    'QualityFocalKDLoss': Case(L.QualityFocalKDLoss, lambda: _seeded((2, 5, 8), scale_S=3.0, scale_T=3.0, seed=3),
                               fp32_tol=BF16_VS_FP32),
    'RKDLoss': Case(L.RKDLoss, lambda: _seeded((4, 3, 2, 2), (4, 5, 3, 3)), fp32_tol=dict(rtol=5e-2, atol=1e-3)),
    'SPLoss': Case(L.SPLoss, lambda: _seeded((4, 3, 4, 4), (4, 5, 2, 3)), fp32_tol=BF16_VS_FP32),
    'VIDLoss': Case(lambda **kw: L.VIDLoss(3, 5, **kw), lambda: _seeded((2, 3, 3, 3), (2, 5, 3, 3)),
                    fp32_tol=BF16_VS_FP32),
}

REGISTERED = sorted(DISTILL_LOSSES.module_dict)


def _case(name: str) -> Case:
    if name not in CASES:
        pytest.fail(f'{name} is registered but has no entry in CASES of {__file__}')
    case = CASES[name]
    torch.manual_seed(0)  # losses with parameters initialise them from the global generator
    return case


def test_every_registered_loss_has_a_case() -> None:
    assert sorted(CASES) == REGISTERED
    for name, case in CASES.items():
        assert type(case.make()) is DISTILL_LOSSES.get(name)


@pytest.mark.parametrize('name', REGISTERED)
def test_finite_scalar(name: str) -> None:
    case = _case(name)
    assert_finite_scalar(case.make(), *case.inputs(), **case.extra())


@pytest.mark.parametrize('name', REGISTERED)
def test_gradient_reaches_student_only(name: str) -> None:
    case = _case(name)
    assert_gradient_reaches_student_only(case.make(), *case.inputs(), **case.extra())


@pytest.mark.parametrize('name', REGISTERED)
def test_weight_scales_linearly(name: str) -> None:
    case = _case(name)
    assert_weight_scales(case.make, *case.inputs(), **case.extra())


@pytest.mark.parametrize('name', REGISTERED)
def test_bf16_autocast_returns_float32(name: str) -> None:
    case = _case(name)
    assert_bf16_autocast_returns_float32(case.make(), *case.inputs(), rounded_tol=case.rounded_tol,
                                         fp32_tol=case.fp32_tol, **case.extra())
