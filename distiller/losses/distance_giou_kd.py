"""GIoU distillation of point-distance box predictions (CrossKD's box term for FCOS- and RTMDet-style heads)."""
from typing import Tuple

import torch
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import check_shapes
from .score_weighted_giou_kd import ScoreWeightedGIoUKDLoss

# log-distances are clamped here before exp (e^12 is far beyond any image) so that a wild student cannot overflow
MAX_LOG_DISTANCE = 12.0


def distance_giou(dist_S: Tensor, dist_T: Tensor) -> Tensor:
    """GIoU of the boxes two (left, top, right, bottom) distance maps predict around the same points.

    Both boxes share their point, so the GIoU needs no coordinates, and a scale common to both (the stride, a
    per-level ``Scale``) leaves it unchanged. Negative distances are taken as 0.

    Args:
        dist_S (Tensor): N x 4 x H x W distances.
        dist_T (Tensor): The same shape.

    Returns:
        Tensor: N x H x W GIoU values.
    """
    left_s, top_s, right_s, bottom_s = dist_S.clamp(min=0).unbind(1)
    left_t, top_t, right_t, bottom_t = dist_T.clamp(min=0).unbind(1)
    area_s = (left_s + right_s) * (top_s + bottom_s)
    area_t = (left_t + right_t) * (top_t + bottom_t)
    overlap = ((torch.minimum(left_s, left_t) + torch.minimum(right_s, right_t))
               * (torch.minimum(top_s, top_t) + torch.minimum(bottom_s, bottom_t)))
    union = area_s + area_t - overlap
    hull = ((torch.maximum(left_s, left_t) + torch.maximum(right_s, right_t))
            * (torch.maximum(top_s, top_t) + torch.maximum(bottom_s, bottom_t)))
    eps = torch.finfo(dist_S.dtype).eps
    return overlap / (union + eps) - (hull - union) / (hull + eps)


@DISTILL_LOSSES.register_module()
class DistanceGIoUKDLoss(ScoreWeightedGIoUKDLoss):
    """``1 - GIoU`` between the student's and the teacher's point-distance boxes, each position weighted by the
    teacher's top class score there (Wang et al., CrossKD, CVPR 2024: the GIoU term of its RetinaNet/FCOS/ATSS
    configs, here for heads that predict distances from points: FCOS, RTMDet).

    The weight of a position is ``max_c sigmoid(T_cls)`` of the teacher's class logits recorded at
    ``score_module`` (an entry must record that teacher module's output, e.g. the class-branch CrossKD entry); the
    loss is the weighted sum over every level and position divided by the sum of the weights, at least 1 (CrossKD
    divides by the student's positive anchors, which a feature loss does not see). An entry per level (RTMDet) is
    normalised per level. Negative distances count as 0, so such a side gets no gradient from this loss (mmdet's GIoU
    on decoded boxes keeps it).

    Args:
        score_module (str): The teacher module whose output is the class logits of the same levels, in the same
            order (``'bbox_head.rtm_cls.0'``; a shared head's ``'bbox_head.conv_cls'`` gives one per level).
        log_distances (bool): The recorded outputs are log-distances, as FCOS's ``conv_reg`` without
            ``norm_on_bbox`` (its ``forward`` applies ``exp``): both sides go through ``exp`` first (clamped at
            ``exp(12)``).
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, score_module: str, log_distances: bool = False, weight: float = 1.0) -> None:
        super().__init__(score_module, weight=weight)
        self.log_distances = bool(log_distances)

    def level_giou_and_weight(self, dist_S: Tensor, dist_T: Tensor, score: Tensor) -> Tuple[Tensor, Tensor]:
        """GIoU per position of one level's distance maps, and the teacher's top class score there.

        Args:
            dist_S (Tensor): Student distances (or log-distances), N x 4 x H x W.
            dist_T (Tensor): Teacher distances, the same shape.
            score (Tensor): Teacher class logits, N x C x H x W.

        Returns:
            tuple[Tensor, Tensor]: N x H x W GIoU values and weights.
        """
        check_shapes('DistanceGIoUKDLoss', dist_S, dist_T, 'student and teacher distance maps N x 4 x H x W', ndim=4)
        if dist_S.shape[1] != 4 or score.shape[0] != dist_S.shape[0] or score.shape[2:] != dist_S.shape[2:]:
            raise ValueError(f'DistanceGIoUKDLoss expects N x 4 x H x W distances and N x C x H x W class logits '
                             f'of the same N, H, W, got {tuple(dist_S.shape)} and {tuple(score.shape)}')
        if self.log_distances:
            dist_S, dist_T = dist_S.clamp(max=MAX_LOG_DISTANCE).exp(), dist_T.clamp(max=MAX_LOG_DISTANCE).exp()
        return distance_giou(dist_S, dist_T), score.detach().float().sigmoid().max(dim=1).values
