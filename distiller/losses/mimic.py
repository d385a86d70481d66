"""Feature mimicking (FitNets hint) loss."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class MimicLoss(BaseDistillLoss):
    """Hint loss of Romero et al., "FitNets: Hints for Thin Deep Nets" (ICLR 2015).

    The mean squared error between the student feature and the teacher feature. Put an align connector in front of
    it when the channels or spatial sizes differ.

    Args:
        weight (float): Multiplier of the loss value.
    """

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Mean squared error over all elements.

        Args:
            preds_S (Tensor): Student feature of any shape.
            preds_T (Tensor): Teacher feature of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('MimicLoss', preds_S, preds_T, 'student and teacher features of the same shape',
                     hint='; add an align connector')
        return F.mse_loss(preds_S, preds_T)
