"""Pearson-correlation feature distillation (PKD)."""
from typing import Sequence, Union

import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class PKDLoss(BaseDistillLoss):
    """Feature imitation through the Pearson correlation coefficient (PKD).

    From Cao et al., "PKD: General Distillation Framework for Object Detectors via Pearson Correlation Coefficient"
    (NeurIPS 2022). Both features are standardised and the loss is half their mean squared error, close to
    ``1 - r`` with ``r`` the Pearson correlation: only the relation between values is imitated, not their magnitude.
    As in the authors' implementation, the statistics are taken per channel over the batch and all positions
    (``N * H * W`` values), and each feature is divided by its unbiased standard deviation plus ``1e-6``:
    ``(x - mean) / (std + 1e-6)``, so no channel or FPN level dominates through its magnitude. Student and teacher
    must have the same channels.

    Args:
        weight (float): Multiplier of the loss value (6 per FPN level in the mmrazor COCO configs).
        resize_stu (bool): When the spatial sizes differ, resize the student to the teacher's size (True) or the
            teacher to the student's (False), bilinearly.
    """

    accepts_sequence = True
    accepts_spatial_mismatch = True

    def __init__(self, weight: float = 1.0, resize_stu: bool = True) -> None:
        super().__init__(weight=weight)
        self.resize_stu = resize_stu

    def compute(self, preds_S: Union[Tensor, Sequence[Tensor]], preds_T: Union[Tensor, Sequence[Tensor]]) -> Tensor:
        """Half the MSE of the standardised features, summed over levels.

        Args:
            preds_S (Tensor | Sequence[Tensor]): Student feature (N, C, H, W) or one such feature per level.
            preds_T (Tensor | Sequence[Tensor]): Teacher feature(s), same structure, batch and channels.

        Returns:
            Tensor: The scalar loss.
        """
        levels_S = [preds_S] if isinstance(preds_S, Tensor) else list(preds_S)
        levels_T = [preds_T] if isinstance(preds_T, Tensor) else list(preds_T)
        if len(levels_S) != len(levels_T) or not levels_S:
            raise ValueError(f'PKDLoss expects the same non-zero number of student and teacher levels, got '
                             f'{len(levels_S)} and {len(levels_T)}')
        loss = 0.0
        for level, (feat_S, feat_T) in enumerate(zip(levels_S, levels_T)):
            check_shapes('PKDLoss', feat_S, feat_T, 'student and teacher features (N, C, H, W) with the same N and C',
                         ndim=4, same=(0, 1), hint=f' at level {level}')
            if feat_S.shape[2:] != feat_T.shape[2:]:
                if self.resize_stu:
                    feat_S = F.interpolate(feat_S, size=feat_T.shape[2:], mode='bilinear', align_corners=False)
                else:
                    feat_T = F.interpolate(feat_T, size=feat_S.shape[2:], mode='bilinear', align_corners=False)
            loss = loss + F.mse_loss(_standardise(feat_S), _standardise(feat_T)) / 2
        return loss


def _standardise(feat: Tensor, eps: float = 1e-6) -> Tensor:
    """Zero mean per channel, divided by the channel's unbiased standard deviation plus ``eps`` (statistics over the
    batch and the positions)."""
    mean = feat.mean(dim=(0, 2, 3), keepdim=True)
    std = feat.std(dim=(0, 2, 3), unbiased=True, keepdim=True)
    return (feat - mean) / (std + eps)
