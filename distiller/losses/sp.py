"""Similarity-preserving knowledge distillation (SP)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class SPLoss(BaseDistillLoss):
    """Similarity-preserving distillation of Tung & Mori, "Similarity-Preserving Knowledge Distillation" (ICCV 2019).

    Each sample's whole feature map is flattened to a vector ``f_i``; the batch similarity matrix ``G = F F^T``
    ``(N, N)`` is L2-normalised row by row, and the loss is ``||G_S - G_T||_F ** 2 / N ** 2``. As ``G`` is
    ``N x N``, student and teacher may differ in channels and spatial size; only the batch size must match. With a
    batch of one sample the normalised ``G`` is ``[[1]]`` for both and the loss is 0, so use at least 2 samples per
    device.

    Args:
        weight (float): Multiplier of the loss value (the paper's ``gamma`` = 3000).
    """

    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Squared Frobenius distance of the row-normalised batch similarity matrices, divided by ``N ** 2``.

        Args:
            preds_S (Tensor): Student feature of shape (N, ...), usually (N, C_S, H_S, W_S).
            preds_T (Tensor): Teacher feature of shape (N, ...).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('SPLoss', preds_S, preds_T, 'student and teacher features (N, ...) with the same batch size N',
                     min_ndim=2, same=(0,))
        n = preds_S.shape[0]
        return (_similarity(preds_S) - _similarity(preds_T)).pow(2).sum() / n**2


def _similarity(x: Tensor) -> Tensor:
    """Row-normalised ``F F^T`` of the per-sample flattened features."""
    flat = x.flatten(1)
    return F.normalize(flat @ flat.t(), dim=1)
