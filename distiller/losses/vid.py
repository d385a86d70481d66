"""Variational information distillation (VID)."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class VIDLoss(BaseDistillLoss):
    """Variational information distillation of Ahn et al., "Variational Information Distillation for Knowledge
    Transfer" (CVPR 2019).

    The teacher feature is modelled as a Gaussian whose mean ``mu = R(S)`` is predicted from the student feature by the
    regressor ``R = conv1x1 -> ReLU -> conv1x1 -> ReLU -> conv1x1`` and whose variance is one learned value per teacher
    channel, ``var_c = softplus(alpha_c) + eps``. The loss is the negative log-likelihood without its constant,
    ``0.5 * (log var + (t - mu) ** 2 / var)``, averaged over all ``N * C_T * H * W`` entries. It is not zero at the
    optimum: with a perfect mean it is ``0.5 * log var``, and the variance keeps shrinking while the fit improves.

    Trained parameters: the regressor and ``alpha``. The student and teacher maps must have the same ``N, H, W``
    (an align connector resizes them when they differ).

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        mid_channels (int, optional): Channels inside the regressor. Defaults to ``teacher_channels``.
        init_pred_var (float): Initial predicted variance; ``alpha`` starts at ``softplus^-1(init_pred_var - eps)``.
        eps (float): Lower bound added to the variance.
        weight (float): Multiplier of the loss value (1 in the CRD benchmark).
    """

    def __init__(self, student_channels: int, teacher_channels: int, mid_channels: Optional[int] = None,
                 init_pred_var: float = 5.0, eps: float = 1e-5, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if eps <= 0 or init_pred_var <= eps:
            raise ValueError(f'VIDLoss: need 0 < eps < init_pred_var, got eps={eps}, init_pred_var={init_pred_var}')
        mid_channels = teacher_channels if mid_channels is None else mid_channels
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.eps = float(eps)
        self.regressor = nn.Sequential(
            nn.Conv2d(student_channels, mid_channels, kernel_size=1), nn.ReLU(),
            nn.Conv2d(mid_channels, mid_channels, kernel_size=1), nn.ReLU(),
            nn.Conv2d(mid_channels, teacher_channels, kernel_size=1))
        var = init_pred_var - eps
        # Inverse of softplus, log(exp(var) - 1), written to stay finite for large var.
        self.alpha = nn.Parameter(torch.full((teacher_channels,), var + math.log(-math.expm1(-var))))

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Gaussian negative log-likelihood of the teacher feature under the student's prediction.

        Args:
            preds_S (Tensor): Student feature of shape (N, student_channels, H, W).
            preds_T (Tensor): Teacher feature of shape (N, teacher_channels, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('VIDLoss', preds_S, preds_T, f'a student (N, {self.student_channels}, H, W) and a teacher '
                     f'(N, {self.teacher_channels}, H, W)', ndim=4, same=(0, 2, 3),
                     channels=(self.student_channels, self.teacher_channels))
        mean = self.regressor(preds_S)
        var = (F.softplus(self.alpha) + self.eps).view(1, -1, 1, 1)
        return 0.5 * (var.log() + (preds_T - mean).pow(2) / var).mean()
