"""Mean squared error between head outputs."""
from typing import Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class LogitMSELoss(BaseDistillLoss):
    """Mean squared error between student and teacher head outputs (logit matching, Ba & Caruana, NeurIPS 2014).

    Accepts one tensor or a list/tuple of per-level tensors (e.g. one per FPN level of a detection head); with levels
    the loss is the mean over levels of each level's mean squared error, so every level counts the same whatever its
    size.

    Args:
        weight (float): Multiplier of the loss value.
    """

    accepts_sequence = True

    def compute(self, preds_S: Union[Tensor, Sequence[Tensor]], preds_T: Union[Tensor, Sequence[Tensor]]) -> Tensor:
        """Mean squared error, averaged over levels when given several.

        Args:
            preds_S (Tensor | Sequence[Tensor]): Student output(s).
            preds_T (Tensor | Sequence[Tensor]): Teacher output(s), same structure and shapes.

        Returns:
            Tensor: The scalar loss.
        """
        levels_S = [preds_S] if isinstance(preds_S, Tensor) else list(preds_S)
        levels_T = [preds_T] if isinstance(preds_T, Tensor) else list(preds_T)
        if len(levels_S) != len(levels_T) or not levels_S:
            raise ValueError(f'LogitMSELoss expects the same non-zero number of student and teacher levels, got '
                             f'{len(levels_S)} and {len(levels_T)}')
        for level, (out_S, out_T) in enumerate(zip(levels_S, levels_T)):
            check_shapes('LogitMSELoss', out_S, out_T, 'student and teacher outputs of the same shape',
                         hint=f' at level {level}')
        return torch.stack([F.mse_loss(out_S, out_T) for out_S, out_T in zip(levels_S, levels_T)]).mean()
