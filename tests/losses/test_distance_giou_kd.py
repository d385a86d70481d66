import pytest
import torch

from distiller.losses.distance_giou_kd import DistanceGIoUKDLoss, distance_giou


def reference_giou(box_a, box_b):
    """GIoU of two xyxy boxes, written out."""
    ix1, iy1 = max(box_a[0], box_b[0]), max(box_a[1], box_b[1])
    ix2, iy2 = min(box_a[2], box_b[2]), min(box_a[3], box_b[3])
    inter = max(ix2 - ix1, 0.0) * max(iy2 - iy1, 0.0)
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    union = area_a + area_b - inter
    hx1, hy1 = min(box_a[0], box_b[0]), min(box_a[1], box_b[1])
    hx2, hy2 = max(box_a[2], box_b[2]), max(box_a[3], box_b[3])
    hull = (hx2 - hx1) * (hy2 - hy1)
    return inter / union - (hull - union) / hull


def reference_loss(dists_S, dists_T, scores):
    """Decode each position's distances around a point at (x, y) = (7 * w, 5 * h) into xyxy boxes, weight 1 - GIoU
    by the teacher's top sigmoid score, divide by the summed weights (at least 1)."""
    total, weights = 0.0, 0.0
    for dist_S, dist_T, score in zip(dists_S, dists_T, scores):
        n, _, height, width = dist_S.shape
        for i in range(n):
            for h in range(height):
                for w in range(width):
                    x, y = 7.0 * w, 5.0 * h
                    l_s, t_s, r_s, b_s = [max(v, 0.0) for v in dist_S[i, :, h, w].double().tolist()]
                    l_t, t_t, r_t, b_t = [max(v, 0.0) for v in dist_T[i, :, h, w].double().tolist()]
                    giou = reference_giou((x - l_s, y - t_s, x + r_s, y + b_s), (x - l_t, y - t_t, x + r_t, y + b_t))
                    weight = max(torch.sigmoid(score[i, :, h, w].double()).tolist())
                    total += weight * (1 - giou)
                    weights += weight
    return total / max(weights, 1.0)


def _inputs(seed=0, levels=((3, 4), (2, 2))):
    gen = torch.Generator().manual_seed(seed)
    dists_S = [4 * torch.rand(2, 4, h, w, generator=gen) + 0.1 for h, w in levels]
    dists_T = [4 * torch.rand(2, 4, h, w, generator=gen) + 0.1 for h, w in levels]
    scores = [3 * torch.randn(2, 5, h, w, generator=gen) for h, w in levels]
    return dists_S, dists_T, scores


def test_value_matches_decoded_boxes_over_levels():
    dists_S, dists_T, scores = _inputs()
    dists_S[0][0, 0, 0, 0] = -1.0  # a negative distance counts as 0
    loss = DistanceGIoUKDLoss('head.cls')(dists_S, dists_T, teacher_outputs={'head.cls': scores})
    assert loss.item() == pytest.approx(reference_loss(dists_S, dists_T, scores), rel=1e-5)


def test_log_distances_are_decoded_with_exp():
    dists_S, dists_T, scores = _inputs()
    logs_S, logs_T = [d.log() for d in dists_S], [d.log() for d in dists_T]
    logs_S[0][0, 0, 0, 0] = 50.0  # clamped at log-distance 12 before exp
    dists_S[0][0, 0, 0, 0] = torch.tensor(12.0).exp()
    loss = DistanceGIoUKDLoss('head.cls', log_distances=True)(logs_S, logs_T, teacher_outputs={'head.cls': scores})
    assert loss.item() == pytest.approx(reference_loss(dists_S, dists_T, scores), rel=1e-5)


def test_giou_is_one_for_equal_boxes_and_unchanged_by_a_common_scale():
    dists_S, dists_T, _ = _inputs()
    assert torch.allclose(distance_giou(dists_S[0], dists_S[0]), torch.ones(2, 3, 4))
    assert torch.allclose(distance_giou(8 * dists_S[0], 8 * dists_T[0]), distance_giou(dists_S[0], dists_T[0]),
                          atol=1e-6)


def test_gradient_reaches_the_student_only():
    dists_S, dists_T, scores = _inputs()
    for tensor in (*dists_S, *dists_T, *scores):
        tensor.requires_grad_()
    DistanceGIoUKDLoss('head.cls')(dists_S, dists_T, teacher_outputs={'head.cls': scores}).backward()
    assert all(d.grad is not None and d.grad.abs().sum() > 0 for d in dists_S)
    assert all(t.grad is None for t in (*dists_T, *scores))


def test_bad_inputs_are_reported():
    dists_S, dists_T, scores = _inputs()
    with pytest.raises(ValueError, match=r"'head.cls' gave 1 class map\(s\) for 2 box map\(s\)"):
        DistanceGIoUKDLoss('head.cls')(dists_S, dists_T, teacher_outputs={'head.cls': scores[:1]})
    with pytest.raises(ValueError, match=r'N x 4 x H x W distances and N x C x H x W class logits of the same N, H, '
                                         r'W, got \(2, 4, 3, 4\) and \(2, 5, 2, 2\)'):
        DistanceGIoUKDLoss('head.cls')(dists_S, dists_T, teacher_outputs={'head.cls': scores[::-1]})
