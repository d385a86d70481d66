import pytest
import torch
from mmdet.models.task_modules.coders import DeltaXYWHBBoxCoder
from mmdet.structures.bbox import bbox_overlaps

from distiller.losses.delta_giou_kd import DeltaGIoUKDLoss, delta_giou

MEANS, STDS = (0.05, -0.1, 0.0, 0.1), (0.1, 0.1, 0.2, 0.2)


def reference_loss(deltas_S, deltas_T, scores, means, stds, seed=3):
    """Decode each anchor's deltas with mmdet's coder from random anchors of any shape and place, take mmdet's GIoU of
    the two boxes, weight 1 - GIoU by the teacher's top sigmoid score over the anchor's classes, divide by the summed
    weights (at least 1)."""
    coder = DeltaXYWHBBoxCoder(target_means=means, target_stds=stds)
    gen = torch.Generator().manual_seed(seed)
    total, weights = 0.0, 0.0
    for d_S, d_T, score in zip(deltas_S, deltas_T, scores):
        n, channels, height, width = d_S.shape
        anchors = channels // 4
        flat_S = d_S.double().permute(0, 2, 3, 1).reshape(-1, 4)
        flat_T = d_T.double().permute(0, 2, 3, 1).reshape(-1, 4)
        centres = 100 * torch.rand(flat_S.shape[0], 2, generator=gen, dtype=torch.float64)
        sizes = 4 + 60 * torch.rand(flat_S.shape[0], 2, generator=gen, dtype=torch.float64)
        priors = torch.cat([centres - sizes / 2, centres + sizes / 2], dim=1)
        giou = bbox_overlaps(coder.decode(priors, flat_S), coder.decode(priors, flat_T), mode='giou',
                             is_aligned=True)
        weight = score.double().sigmoid().permute(0, 2, 3, 1).reshape(-1, anchors, score.shape[1] // anchors)
        weight = weight.max(dim=2).values.reshape(-1)
        total += (weight * (1 - giou)).sum().item()
        weights += weight.sum().item()
    return total / max(weights, 1.0)


def _inputs(seed=0, levels=((3, 4), (2, 2)), anchors=3, classes=5):
    gen = torch.Generator().manual_seed(seed)
    deltas_S = [torch.randn(2, 4 * anchors, h, w, generator=gen) for h, w in levels]
    deltas_T = [torch.randn(2, 4 * anchors, h, w, generator=gen) for h, w in levels]
    scores = [3 * torch.randn(2, anchors * classes, h, w, generator=gen) for h, w in levels]
    return deltas_S, deltas_T, scores


@pytest.mark.parametrize('means, stds', [((0.0,) * 4, (1.0,) * 4), (MEANS, STDS)])
def test_value_matches_mmdet_decoded_boxes_from_any_anchors(means, stds):
    deltas_S, deltas_T, scores = _inputs()
    deltas_S[0][0, 2, 0, 0] = 30.0  # beyond the coder's clamp of the log size
    loss = DeltaGIoUKDLoss('head.cls', target_means=means, target_stds=stds)(
        deltas_S, deltas_T, teacher_outputs={'head.cls': scores})
    assert loss.item() == pytest.approx(reference_loss(deltas_S, deltas_T, scores, means, stds), rel=1e-5)


def test_giou_is_one_for_equal_deltas():
    deltas_S, _, _ = _inputs()
    assert torch.allclose(delta_giou(deltas_S[0], deltas_S[0], MEANS, STDS), torch.ones(2, 3, 3, 4), atol=1e-6)


def test_gradient_reaches_the_student_only():
    deltas_S, deltas_T, scores = _inputs()
    for tensor in (*deltas_S, *deltas_T, *scores):
        tensor.requires_grad_()
    DeltaGIoUKDLoss('head.cls')(deltas_S, deltas_T, teacher_outputs={'head.cls': scores}).backward()
    assert all(d.grad is not None and d.grad.abs().sum() > 0 for d in deltas_S)
    assert all(t.grad is None for t in (*deltas_T, *scores))


def test_bad_inputs_are_reported():
    deltas_S, deltas_T, scores = _inputs()
    with pytest.raises(ValueError, match=r"'head.cls' gave 1 class map\(s\) for 2 box map\(s\)"):
        DeltaGIoUKDLoss('head.cls')(deltas_S, deltas_T, teacher_outputs={'head.cls': scores[:1]})
    with pytest.raises(ValueError, match=r'N x 4A x H x W deltas and N x A\*C x H x W class logits of the same N, H, '
                                         r'W, got \(2, 12, 3, 4\) and \(2, 14, 3, 4\)'):
        DeltaGIoUKDLoss('head.cls')(deltas_S, deltas_T, teacher_outputs={'head.cls': [s[:, :14] for s in scores]})
    with pytest.raises(ValueError, match=r'target_means and target_stds must have 4 values each, the stds positive, '
                                         r'got \[0.0, 0.0, 0.0, 0.0\] and \[1.0, 0.0, 1.0, 1.0\]'):
        DeltaGIoUKDLoss('head.cls', target_stds=(1.0, 0.0, 1.0, 1.0))
