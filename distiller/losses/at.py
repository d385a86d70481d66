"""Attention transfer (AT)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class ATLoss(BaseDistillLoss):
    """Attention transfer of Zagoruyko & Komodakis, "Paying More Attention to Attention" (ICLR 2017).

    The spatial attention map of an ``(N, C, H, W)`` feature is the channel mean of ``|x| ** p``, flattened to
    ``(N, H * W)`` and L2-normalised per sample. The loss is the mean squared difference of the student's and the
    teacher's maps over the ``N * H * W`` entries. The channel counts may differ; ``N, H, W`` must be equal.

    Args:
        p (float): Exponent of the activation magnitude (2 in the paper).
        weight (float): Multiplier of the loss value (1000 in the CRD benchmark).
    """

    accepts_channel_mismatch = True

    def __init__(self, p: float = 2.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if p <= 0:
            raise ValueError(f'ATLoss: p must be positive, got {p}')
        self.p = float(p)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Mean squared difference of the normalised attention maps.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('ATLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same N, H, W', ndim=4,
                     same=(0, 2, 3))
        return (self._attention(preds_S) - self._attention(preds_T)).pow(2).mean()

    def _attention(self, x: Tensor) -> Tensor:
        """L2-normalised ``mean_c |x| ** p`` of shape (N, H * W)."""
        return F.normalize(x.abs().pow(self.p).mean(dim=1).flatten(1), dim=1)
