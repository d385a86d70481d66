"""Logit distillation with softened targets (Hinton KD)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class KDLoss(BaseDistillLoss):
    """Knowledge distillation of Hinton et al., "Distilling the Knowledge in a Neural Network" (2015).

    ``KL(softmax(T / tau) || softmax(S / tau)) * tau ** 2``, summed over classes and averaged over samples. Dense
    logits (N, C, H, W, ...) are treated as one sample per position, with the classes along dim 1. With ``groups > 1``
    dim 1 holds that many distributions side by side, each over ``C / groups`` bins (a YOLO DFL box head: 4 box sides
    of ``reg_max`` bins each), and every one counts as a sample.

    With ``class_weight`` each sample's divergence is multiplied by the weight of the teacher's top class before the
    average, as mmseg's ``CrossEntropyLoss(class_weight=...)`` weighs each pixel by its label's class. Give the
    student's own class weights so that the distillation term weighs classes as its task loss does (a segmentor whose
    cross-entropy weighs background 0.1 would otherwise be distilled mostly on background pixels).

    Args:
        tau (float): Softmax temperature (4 is common on CIFAR-100, 1-2 on ImageNet).
        groups (int): Number of distributions along dim 1.
        class_weight (Sequence[float], optional): One non-negative weight per class (``C / groups`` of them).
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, tau: float = 1.0, groups: int = 1, class_weight: Optional[Sequence[float]] = None,
                 weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if tau <= 0:
            raise ValueError(f'KDLoss: tau must be positive, got {tau}')
        if groups < 1:
            raise ValueError(f'KDLoss: groups must be a positive integer, got {groups}')
        if class_weight is not None and (len(class_weight) == 0 or min(class_weight) < 0):
            raise ValueError(f'KDLoss: class_weight must be a non-empty list of non-negative weights, '
                             f'got {list(class_weight)}')
        self.tau = float(tau)
        self.groups = int(groups)
        self.class_weight = None if class_weight is None else torch.tensor(class_weight, dtype=torch.float32)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Temperature-scaled KL divergence from the teacher's to the student's class distribution.

        Args:
            preds_S (Tensor): Student logits (N, C) or (N, C, H, W, ...); C = groups x classes.
            preds_T (Tensor): Teacher logits of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('KDLoss', preds_S, preds_T, 'student and teacher logits of the same shape (N, C, ...)',
                     min_ndim=2)
        if preds_S.shape[1] % self.groups:
            raise ValueError(f'KDLoss: {preds_S.shape[1]} channels do not split into groups={self.groups} '
                             'distributions')
        log_p_S = (_split(preds_S, self.groups) / self.tau).log_softmax(dim=1)
        log_p_T = (_split(preds_T, self.groups) / self.tau).log_softmax(dim=1)
        kl = F.kl_div(log_p_S, log_p_T, reduction='none', log_target=True).sum(dim=1)
        if self.class_weight is not None:
            if len(self.class_weight) != log_p_T.shape[1]:
                raise ValueError(f'KDLoss: class_weight has {len(self.class_weight)} entries for distributions '
                                 f'over {log_p_T.shape[1]} classes')
            kl = kl * self.class_weight.to(kl)[log_p_T.argmax(dim=1)]
        return kl.mean() * self.tau**2


def _split(logits: Tensor, groups: int) -> Tensor:
    """Rows of one distribution each: (N, G*K, ...) -> (N*...*G, K)."""
    n, channels = logits.shape[:2]
    grouped = logits.reshape(n, groups, channels // groups, -1)
    return grouped.movedim(2, -1).reshape(-1, channels // groups)
