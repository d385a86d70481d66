"""Logit distillation with softened targets (Hinton KD)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss


@DISTILL_LOSSES.register_module()
class KDLoss(BaseDistillLoss):
    """Knowledge distillation of Hinton et al., "Distilling the Knowledge in a Neural Network" (2015).

    ``KL(softmax(T / tau) || softmax(S / tau)) * tau ** 2``, summed over classes and averaged over samples. Dense
    logits (N, C, H, W, ...) are treated as one sample per position, with the classes along dim 1.

    Args:
        tau (float): Softmax temperature (4 is common on CIFAR-100, 1-2 on ImageNet).
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, tau: float = 1.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if tau <= 0:
            raise ValueError(f'KDLoss: tau must be positive, got {tau}')
        self.tau = float(tau)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Temperature-scaled KL divergence from the teacher's to the student's class distribution.

        Args:
            preds_S (Tensor): Student logits (N, C) or (N, C, H, W, ...).
            preds_T (Tensor): Teacher logits of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        if preds_S.dim() < 2 or preds_S.shape != preds_T.shape:
            raise ValueError(f'KDLoss expects student and teacher logits of the same shape (N, C, ...), got '
                             f'{tuple(preds_S.shape)} and {tuple(preds_T.shape)}')
        num_classes = preds_S.shape[1]
        log_p_S = (preds_S.movedim(1, -1).reshape(-1, num_classes) / self.tau).log_softmax(dim=1)
        log_p_T = (preds_T.detach().movedim(1, -1).reshape(-1, num_classes) / self.tau).log_softmax(dim=1)
        kl = F.kl_div(log_p_S, log_p_T, reduction='batchmean', log_target=True)
        return kl * self.tau**2
