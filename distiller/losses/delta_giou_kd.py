"""GIoU distillation of anchor-delta box predictions (CrossKD's box term for RetinaNet- and ATSS-style heads)."""
import math
from typing import Sequence, Tuple

import torch
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import check_shapes
from .score_weighted_giou_kd import ScoreWeightedGIoUKDLoss

# mmdet's DeltaXYWHBBoxCoder clamps the log-size deltas to this (wh_ratio_clip=16/1000)
MAX_LOG_RATIO = abs(math.log(16 / 1000))


def delta_giou(deltas_S: Tensor, deltas_T: Tensor, means: Sequence[float], stds: Sequence[float]) -> Tensor:
    """GIoU of the boxes two (dx, dy, dw, dh) delta maps decode to from the same anchors.

    An axis-aligned affine map (``x -> a x + b``, ``y -> c y + d``, ``a, c > 0``) maps boxes to boxes, their
    intersection to the intersection and their hull to the hull, and scales every area by ``a * c``, so the GIoU does
    not change. Both boxes are decoded from the same anchor, so they are compared in the anchor's own frame (its
    centre at 0, its width and height 1): no anchor coordinates are needed.

    Args:
        deltas_S (Tensor): N x 4A x H x W deltas, each anchor's four channels together (mmdet's layout).
        deltas_T (Tensor): The same shape.
        means (Sequence[float]): The box coder's ``target_means``.
        stds (Sequence[float]): The box coder's ``target_stds``.

    Returns:
        Tensor: N x A x H x W GIoU values.
    """
    boxes = []
    for deltas in (deltas_S, deltas_T):
        n, channels, height, width = deltas.shape
        d = deltas.view(n, channels // 4, 4, height, width)
        d = d * d.new_tensor(stds).view(1, 1, 4, 1, 1) + d.new_tensor(means).view(1, 1, 4, 1, 1)
        dx, dy, dw, dh = d.unbind(2)
        half_w = dw.clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO).exp() / 2
        half_h = dh.clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO).exp() / 2
        boxes.append((dx - half_w, dy - half_h, dx + half_w, dy + half_h))
    (x1_s, y1_s, x2_s, y2_s), (x1_t, y1_t, x2_t, y2_t) = boxes
    area_s = (x2_s - x1_s) * (y2_s - y1_s)
    area_t = (x2_t - x1_t) * (y2_t - y1_t)
    overlap = ((torch.minimum(x2_s, x2_t) - torch.maximum(x1_s, x1_t)).clamp(min=0)
               * (torch.minimum(y2_s, y2_t) - torch.maximum(y1_s, y1_t)).clamp(min=0))
    union = area_s + area_t - overlap
    hull = ((torch.maximum(x2_s, x2_t) - torch.minimum(x1_s, x1_t))
            * (torch.maximum(y2_s, y2_t) - torch.minimum(y1_s, y1_t)))
    eps = torch.finfo(deltas_S.dtype).eps
    return overlap / (union + eps) - (hull - union) / (hull + eps)


@DISTILL_LOSSES.register_module()
class DeltaGIoUKDLoss(ScoreWeightedGIoUKDLoss):
    """``1 - GIoU`` between the student's and the teacher's anchor boxes decoded from their deltas, each anchor
    weighted by the teacher's top class score for it (Wang et al., CrossKD, CVPR 2024: the GIoU term of its
    RetinaNet and ATSS configs).

    For heads whose box branch predicts mmdet ``DeltaXYWHBBoxCoder`` deltas (RetinaNet, ATSS, and other anchor heads
    with that coder). The GIoU of two boxes decoded from one anchor does not depend on the anchor (see
    :func:`delta_giou`), so the loss needs only the coder's ``target_means`` and ``target_stds``. The weight of an
    anchor is ``max_c sigmoid(T_cls)`` over its classes in the teacher's class logits recorded at ``score_module``
    (N x A*C x H x W, each anchor's classes together; another entry must record that module's output); the loss is
    the weighted sum over every level and anchor divided by the sum of the weights, at least 1. Log-size deltas are
    clamped to ``log(1000 / 16)`` as the coder does.

    Args:
        score_module (str): The teacher module whose output is the class logits of the same levels, in the same
            order (``'bbox_head.retina_cls'``, ``'bbox_head.atss_cls'``).
        target_means (Sequence[float]): The head's ``bbox_coder.target_means``.
        target_stds (Sequence[float]): The head's ``bbox_coder.target_stds`` (RetinaNet 1, 1, 1, 1; ATSS 0.1, 0.1,
            0.2, 0.2).
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, score_module: str, target_means: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
                 target_stds: Sequence[float] = (1.0, 1.0, 1.0, 1.0), weight: float = 1.0) -> None:
        super().__init__(score_module, weight=weight)
        if len(target_means) != 4 or len(target_stds) != 4 or min(target_stds) <= 0:
            raise ValueError(f'DeltaGIoUKDLoss: target_means and target_stds must have 4 values each, the stds '
                             f'positive, got {list(target_means)} and {list(target_stds)}')
        self.target_means = tuple(float(v) for v in target_means)
        self.target_stds = tuple(float(v) for v in target_stds)

    def level_giou_and_weight(self, deltas_S: Tensor, deltas_T: Tensor, score: Tensor) -> Tuple[Tensor, Tensor]:
        """GIoU per anchor of one level's delta maps, and the teacher's top class score for each anchor.

        Args:
            deltas_S (Tensor): Student deltas, N x 4A x H x W.
            deltas_T (Tensor): Teacher deltas, the same shape.
            score (Tensor): Teacher class logits, N x A*C x H x W.

        Returns:
            tuple[Tensor, Tensor]: N x A x H x W GIoU values and weights.
        """
        check_shapes('DeltaGIoUKDLoss', deltas_S, deltas_T, 'student and teacher delta maps N x 4A x H x W', ndim=4)
        anchors = deltas_S.shape[1] // 4
        if (deltas_S.shape[1] % 4 or score.shape[0] != deltas_S.shape[0] or score.shape[2:] != deltas_S.shape[2:]
                or score.shape[1] % anchors):
            raise ValueError(f'DeltaGIoUKDLoss expects N x 4A x H x W deltas and N x A*C x H x W class logits of '
                             f'the same N, H, W, got {tuple(deltas_S.shape)} and {tuple(score.shape)}')
        n, _, height, width = score.shape
        weight = score.detach().float().sigmoid().view(n, anchors, -1, height, width).max(dim=2).values
        return delta_giou(deltas_S, deltas_T, self.target_means, self.target_stds), weight
