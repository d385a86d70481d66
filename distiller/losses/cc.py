"""Correlation congruence (CC)."""
import math

import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class CCLoss(BaseDistillLoss):
    """Correlation congruence of Peng et al., "Correlation Congruence for Knowledge Distillation" (ICCV 2019).

    Each ``(N, C, H, W)`` map is global-average-pooled to an ``(N, C)`` embedding and L2-normalised per sample. The
    correlation between samples ``i`` and ``j`` is the Gaussian RBF kernel ``exp(-gamma * ||f_i - f_j|| ** 2)``; for
    unit vectors it equals ``exp(-2 gamma) * exp(2 gamma * f_i . f_j)``, which is replaced by its Taylor expansion
    ``exp(-2 gamma) * sum_{p=0}^{P} (2 gamma) ** p / p! * (f_i . f_j) ** p`` as in the paper. The loss is
    ``||K_S - K_T||_F ** 2 / N ** 2``.

    Both correlation matrices are ``N x N``, so student and teacher may differ in channels (and spatial size)
    without any trainable layer; the paper's FC embedding of the classifier's feature is not needed here. Needs at
    least 2 samples per device to carry any signal.

    Args:
        gamma (float): RBF kernel parameter.
        p_order (int): Order ``P`` of the Taylor expansion.
        weight (float): Multiplier of the loss value.
    """

    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def __init__(self, gamma: float = 0.4, p_order: int = 2, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if gamma <= 0:
            raise ValueError(f'CCLoss: gamma must be positive, got {gamma}')
        if int(p_order) != p_order or p_order < 1:
            raise ValueError(f'CCLoss: p_order must be an integer >= 1, got {p_order}')
        self.gamma = float(gamma)
        self.p_order = int(p_order)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Squared Frobenius distance of the kernel correlation matrices, divided by ``N ** 2``.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H', W').

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('CCLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same batch size N',
                     ndim=4, same=(0,))
        n = preds_S.shape[0]
        return (self._correlation(preds_S) - self._correlation(preds_T)).pow(2).sum() / n**2

    def _correlation(self, x: Tensor) -> Tensor:
        """Taylor-expanded RBF kernel matrix (N, N) of the pooled, normalised embeddings."""
        emb = F.normalize(x.mean(dim=(2, 3)), dim=1)
        cos = emb @ emb.t()
        two_gamma = 2 * self.gamma
        series = sum(two_gamma**p / math.factorial(p) * cos.pow(p) for p in range(self.p_order + 1))
        return math.exp(-two_gamma) * series
