"""Relational knowledge distillation (RKD)."""
import torch
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class RKDLoss(BaseDistillLoss):
    """Relational knowledge distillation of Park et al., "Relational Knowledge Distillation" (CVPR 2019).

    Each ``(N, C, H, W)`` map is global-average-pooled to an ``(N, C)`` embedding, so student and teacher may differ in
    channels and spatial size. Two relations of the batch are matched with the smooth L1 loss (``beta = 1``):

    - distance: the Euclidean distances ``||e_i - e_j||`` of the ``N (N - 1)`` ordered pairs ``i != j``, each divided by
      their mean over those pairs (floored at ``1e-12``); averaged over the pairs;
    - angle: ``cos`` of the angle at ``e_j`` in the triangle ``(e_i, e_j, e_k)``, i.e. the dot product of
      ``normalize(e_i - e_j)`` and ``normalize(e_k - e_j)``, over the ``N (N - 1) (N - 2)`` triplets of distinct
      samples; averaged over the triplets.

    The loss is ``w_dist * distance + w_angle * angle``. The reference code averages over all ``N ** 2`` and
    ``N ** 3`` index combinations including the degenerate ones; excluding them only rescales the terms by
    ``(N - 1) / N`` and ``(N - 1) (N - 2) / N ** 2``. The distance term needs ``N >= 2`` samples per device, the angle
    term ``N >= 3``.

    Args:
        w_dist (float): Weight of the distance term.
        w_angle (float): Weight of the angle term; 0 turns it off.
        weight (float): Multiplier of the loss value (1 with the paper's ``w_dist=25, w_angle=50``).
    """

    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def __init__(self, w_dist: float = 25.0, w_angle: float = 50.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if w_dist < 0 or w_angle < 0 or w_dist + w_angle == 0:
            raise ValueError(f'RKDLoss: w_dist and w_angle must be >= 0 and not both 0, got {w_dist}, {w_angle}')
        self.w_dist = float(w_dist)
        self.w_angle = float(w_angle)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Weighted sum of the distance and angle terms on the pooled embeddings.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H', W').

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('RKDLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same batch size N',
                     ndim=4, same=(0,))
        n = preds_S.shape[0]
        min_n = 3 if self.w_angle > 0 else 2
        if n < min_n:
            raise ValueError(f'RKDLoss needs at least {min_n} samples per batch on each device (the angle term needs '
                             f'3, the distance term 2), got {n}; raise the batch size or set w_angle=0')
        emb_s = preds_S.mean(dim=(2, 3))
        emb_t = preds_T.mean(dim=(2, 3))
        loss = preds_S.new_zeros(())
        if self.w_dist > 0:
            loss = loss + self.w_dist * F.smooth_l1_loss(_distances(emb_s), _distances(emb_t))
        if self.w_angle > 0:
            loss = loss + self.w_angle * F.smooth_l1_loss(_angles(emb_s), _angles(emb_t))
        return loss


def _distances(emb: Tensor) -> Tensor:
    """Distances of the ordered pairs ``i != j`` divided by their mean, shape (N * (N - 1),)."""
    n = emb.shape[0]
    off_diagonal = ~torch.eye(n, dtype=torch.bool, device=emb.device)
    dist = (emb.unsqueeze(0) - emb.unsqueeze(1))[off_diagonal].norm(dim=1)
    return dist / dist.mean().clamp_min(1e-12)


def _angles(emb: Tensor) -> Tensor:
    """Cosines of the angles at ``e_j`` of the triplets of distinct samples, shape (N * (N - 1) * (N - 2),)."""
    n = emb.shape[0]
    directions = F.normalize(emb.unsqueeze(0) - emb.unsqueeze(1), dim=2)  # [j, i] = normalize(e_i - e_j)
    cos = directions @ directions.transpose(1, 2)  # [j, i, k]
    idx = torch.arange(n, device=emb.device)
    j, i, k = idx.view(-1, 1, 1), idx.view(1, -1, 1), idx.view(1, 1, -1)
    distinct = (i != j) & (k != j) & (i != k)
    return cos[distinct]
