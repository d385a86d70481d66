"""Probabilistic knowledge transfer (PKT)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class PKTLoss(BaseDistillLoss):
    """Probabilistic knowledge transfer of Passalis & Tefas, "Learning Deep Representations with Probabilistic
    Knowledge Transfer" (ECCV 2018).

    Each ``(N, C, H, W)`` map is global-average-pooled to an ``(N, C)`` embedding and L2-normalised, so student and
    teacher may differ in channels and spatial size. The cosine-similarity kernel ``K_ij = (cos_ij + 1) / 2`` in
    ``[0, 1]`` is normalised per row into conditional probabilities ``p_{j|i} = K_ij / sum_j K_ij`` (the diagonal
    included, as in the paper). The loss is ``KL(P_T || P_S)``, computed as
    ``sum_ij p^T_{j|i} * log((p^T_{j|i} + eps) / (p^S_{j|i} + eps)) / N ** 2``, i.e. the row-wise KL divergences
    averaged over rows and divided by ``N``, which is the reduction of the reference code (so its weights apply).
    It is 0 when the student's and teacher's similarities agree.

    Args:
        eps (float): Added inside the logarithm for stability.
        weight (float): Multiplier of the loss value (30000 in the CRD benchmark).
    """

    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def __init__(self, eps: float = 1e-7, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if eps <= 0:
            raise ValueError(f'PKTLoss: eps must be positive, got {eps}')
        self.eps = float(eps)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """KL divergence between the teacher's and the student's conditional similarity distributions.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H', W').

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('PKTLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same batch size N',
                     ndim=4, same=(0,))
        p_s = _conditional_probabilities(preds_S)
        p_t = _conditional_probabilities(preds_T)
        return (p_t * ((p_t + self.eps) / (p_s + self.eps)).log()).mean()


def _conditional_probabilities(x: Tensor) -> Tensor:
    """Row-normalised ``(cos + 1) / 2`` kernel (N, N) of the pooled, normalised embeddings."""
    emb = F.normalize(x.mean(dim=(2, 3)), dim=1)
    kernel = (emb @ emb.t() + 1) / 2
    return kernel / kernel.sum(dim=1, keepdim=True)
