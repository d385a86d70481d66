"""Neuron selectivity transfer (NST)."""
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class NSTLoss(BaseDistillLoss):
    """Neuron selectivity transfer of Huang & Wang, "Like What You Like: Knowledge Distill via Neuron Selectivity
    Transfer" (arXiv 2017).

    Each channel of an ``(N, C, H, W)`` map is one sample of a distribution: its ``H * W`` activations, L2-normalised.
    Per image, the squared maximum mean discrepancy between the student's ``C_S`` and the teacher's ``C_T`` channel
    vectors with the polynomial kernel ``k(x, y) = (x . y) ** 2`` (``d = 2, c = 0``) is::

        mean_{i,i'} k(s_i, s_i') + mean_{j,j'} k(t_j, t_j') - 2 * mean_{i,j} k(s_i, t_j)

    and the loss is its mean over the batch. The channel counts may differ; ``N, H, W`` must be equal. It is 0 when
    the two sets of channels agree.

    Args:
        weight (float): Multiplier of the loss value (50 in the CRD benchmark).
    """

    accepts_channel_mismatch = True

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Polynomial-kernel MMD between the student's and the teacher's normalised channel maps.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('NSTLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same N, H, W',
                     ndim=4, same=(0, 2, 3))
        s = F.normalize(preds_S.flatten(2), dim=2)
        t = F.normalize(preds_T.flatten(2), dim=2)
        mmd = _kernel_mean(s, s) + _kernel_mean(t, t) - 2 * _kernel_mean(s, t)
        return mmd.mean()


def _kernel_mean(a: Tensor, b: Tensor) -> Tensor:
    """Per-sample mean of ``(a_i . b_j) ** 2`` over all channel pairs, shape (N,)."""
    return (a @ b.transpose(1, 2)).pow(2).mean(dim=(1, 2))
