"""Quality-focal distillation of sigmoid class scores (CrossKD's classification term, after GFL's quality focal
loss with the teacher's scores as the soft targets)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class QualityFocalKDLoss(BaseDistillLoss):
    """Binary cross-entropy from the teacher's sigmoid scores to the student's, focused by ``|q - p| ** beta``.

    With ``p = sigmoid(T)`` the teacher's and ``q = sigmoid(S)`` the student's score of every class at every
    position, each contributes ``BCE(q, p) * |q - p| ** beta`` (Wang et al., CrossKD, CVPR 2024: ``beta = 1``; GFL's
    quality focal loss with ``p`` as the soft target). The sum over classes and positions is divided by the teacher's
    soft count of objects, ``sum over positions of max_c p`` (at least 1). CrossKD divides by the number of positive
    anchors of the student's assignment, which a feature-level loss does not see; the teacher's confident positions
    stand in for it, so the loss does not grow with the image size or the number of background positions.

    Args:
        beta (float): The focusing exponent (0: plain binary cross-entropy). A fractional one has no defined
            gradient where a student score equals the teacher's exactly.
        weight (float): Multiplier of the loss value.
    """

    def __init__(self, beta: float = 1.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if beta < 0:
            raise ValueError(f'QualityFocalKDLoss: beta must be >= 0, got {beta}')
        self.beta = float(beta)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """The focused binary cross-entropy, over the teacher's soft object count.

        Args:
            preds_S (Tensor): Student class logits (N, C, ...), classes along dim 1.
            preds_T (Tensor): Teacher class logits of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('QualityFocalKDLoss', preds_S, preds_T, 'student and teacher class logits of the same shape '
                     '(N, C, ...)', min_ndim=2)
        p_T = preds_T.sigmoid()
        focus = (preds_S.sigmoid() - p_T).abs().pow(self.beta)
        bce = F.binary_cross_entropy_with_logits(preds_S, p_T, reduction='none')
        objects = p_T.max(dim=1).values.sum().clamp(min=1.0)
        return (bce * focus).sum() / objects
