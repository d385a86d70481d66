"""Decoupled knowledge distillation (DKD)."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss

IGNORE_LABELS = (255, -1)


@DISTILL_LOSSES.register_module()
class DKDLoss(BaseDistillLoss):
    """Decoupled knowledge distillation of Zhao et al., "Decoupled Knowledge Distillation" (CVPR 2022).

    The KD loss split into target-class KD (TCKD), the KL divergence between the teacher's and the student's binary
    distributions (target class, all other classes), and non-target-class KD (NCKD), the KL divergence between their
    distributions over the non-target classes alone. The loss is ``(alpha * TCKD + beta * NCKD) * tau ** 2``, averaged
    over samples; all distributions are softmaxes of ``logits / tau``.

    Dense logits (N, C, H, W) with targets (N, H, W) (or (N, 1, H, W)) count one sample per position; targets of
    another spatial size are resized to the logits' by nearest neighbour. Samples labelled 255 or -1 are ignored.

    The paper uses ``alpha=1, beta=8, tau=4`` on CIFAR-100 and ``alpha=1, beta=0.5, tau=1`` on ImageNet, with a
    linear warm-up of the loss over the first 20 epochs (CIFAR-100) or 1 epoch (ImageNet); here that warm-up is a
    weight schedule.

    Args:
        alpha (float): Weight of TCKD.
        beta (float): Weight of NCKD.
        tau (float): Softmax temperature.
        weight (float): Multiplier of the loss value.
    """

    requires = ('targets',)

    def __init__(self, alpha: float = 1.0, beta: float = 8.0, tau: float = 4.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if tau <= 0:
            raise ValueError(f'DKDLoss: tau must be positive, got {tau}')
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.tau = float(tau)

    def compute(self, preds_S: Tensor, preds_T: Tensor, targets: Tensor) -> Tensor:
        """TCKD and NCKD between the student's and the teacher's logits.

        Args:
            preds_S (Tensor): Student logits (N, C) or (N, C, H, W).
            preds_T (Tensor): Teacher logits of the same shape.
            targets (Tensor): Integer class labels (N,) or (N, H, W).

        Returns:
            Tensor: The scalar loss (zero when every sample is ignored).
        """
        logits_S, logits_T, labels = _flatten(preds_S, preds_T, targets)
        if labels.numel() == 0:
            return logits_S.sum() * 0.0
        z_S, z_T = logits_S / self.tau, logits_T / self.tau
        target_mask = F.one_hot(labels, z_S.shape[1]).bool()
        tckd = F.kl_div(_binary_log_probs(z_S, target_mask), _binary_log_probs(z_T, target_mask),
                        reduction='sum', log_target=True)
        nckd = F.kl_div(_non_target_log_probs(z_S, target_mask), _non_target_log_probs(z_T, target_mask),
                        reduction='sum', log_target=True)
        return (self.alpha * tckd + self.beta * nckd) * self.tau**2 / labels.numel()


def _flatten(preds_S: Tensor, preds_T: Tensor, targets: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """Logits as (M, C) and labels as (M,), one row per kept sample or position."""
    if preds_S.dim() < 2 or preds_S.shape != preds_T.shape:
        raise ValueError(f'DKDLoss expects student and teacher logits of the same shape (N, C, ...), got '
                         f'{tuple(preds_S.shape)} and {tuple(preds_T.shape)}')
    if not isinstance(targets, Tensor) or targets.is_floating_point():
        raise ValueError(f'DKDLoss expects integer class targets, got {getattr(targets, "dtype", type(targets))}')
    num_classes = preds_S.shape[1]
    if num_classes < 2:
        raise ValueError(f'DKDLoss needs at least 2 classes, got logits of shape {tuple(preds_S.shape)}')
    if targets.dim() == preds_S.dim() and targets.shape[1] == 1:
        targets = targets[:, 0]
    if preds_S.dim() == 4 and targets.dim() == 3 and targets.shape[1:] != preds_S.shape[2:]:
        targets = F.interpolate(targets[:, None].float(), size=preds_S.shape[2:], mode='nearest')[:, 0].long()
    if targets.shape != preds_S.shape[:1] + preds_S.shape[2:]:
        raise ValueError(f'DKDLoss expects targets of shape {tuple(preds_S.shape[:1] + preds_S.shape[2:])} for '
                         f'logits of shape {tuple(preds_S.shape)}, got {tuple(targets.shape)}')
    labels = targets.reshape(-1).long()
    keep = ~torch.isin(labels, torch.tensor(IGNORE_LABELS, device=labels.device))
    labels = labels[keep]
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f'DKDLoss expects targets in [0, {num_classes}) or ignored (255, -1), got values from '
                         f'{int(labels.min())} to {int(labels.max())}')
    logits_S = preds_S.movedim(1, -1).reshape(-1, num_classes)[keep]
    logits_T = preds_T.movedim(1, -1).reshape(-1, num_classes)[keep]
    return logits_S, logits_T, labels


def _binary_log_probs(z: Tensor, target_mask: Tensor) -> Tensor:
    """Log-probabilities (M, 2) of the target class and of all other classes together under ``softmax(z)``."""
    log_total = z.logsumexp(dim=1)
    log_target = z[target_mask] - log_total
    log_others = z.masked_fill(target_mask, float('-inf')).logsumexp(dim=1) - log_total
    return torch.stack([log_target, log_others], dim=1)


def _non_target_log_probs(z: Tensor, target_mask: Tensor) -> Tensor:
    """Log-softmax (M, C - 1) over the non-target classes only."""
    return z[~target_mask].reshape(z.shape[0], -1).log_softmax(dim=1)
