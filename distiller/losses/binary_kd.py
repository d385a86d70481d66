"""Logit distillation for sigmoid (multi-label) classifiers such as YOLO and RetinaNet heads."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class BinaryKDLoss(BaseDistillLoss):
    """Knowledge distillation for independent per-class sigmoids: the softmax of Hinton KD replaced by one Bernoulli
    distribution per class, as sigmoid-scored detectors (YOLOv8/YOLO11, RetinaNet, FCOS) predict.

    With ``p = sigmoid(T / tau)`` and ``q = sigmoid(S / tau)``, each class contributes the binary KL divergence
    ``p log(p / q) + (1 - p) log((1 - p) / (1 - q))``; the loss sums it over classes (dim 1), averages over every other
    position (samples, anchors, pixels) and multiplies by ``tau ** 2``. It is zero exactly when student and teacher
    logits agree.

    Args:
        tau (float): Temperature applied to both logits.
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, tau: float = 1.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if tau <= 0:
            raise ValueError(f'BinaryKDLoss: tau must be positive, got {tau}')
        self.tau = float(tau)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Temperature-scaled binary KL divergence from the teacher's to the student's per-class probabilities.

        Args:
            preds_S (Tensor): Student logits (N, C, ...) with classes along dim 1 (a YOLO head's ``scores``: N x nc x
                anchors).
            preds_T (Tensor): Teacher logits of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('BinaryKDLoss', preds_S, preds_T, 'student and teacher logits of the same shape (N, C, ...)',
                     min_ndim=2)
        logits_S = preds_S / self.tau
        logits_T = preds_T / self.tau
        p_T = logits_T.sigmoid()
        cross_entropy = F.binary_cross_entropy_with_logits(logits_S, p_T, reduction='none')
        entropy = F.binary_cross_entropy_with_logits(logits_T, p_T, reduction='none')
        positions = preds_S.numel() // preds_S.shape[1]
        return (cross_entropy - entropy).sum() / positions * self.tau**2
