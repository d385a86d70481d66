"""Flow of solution procedure (FSP)."""
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss


@DISTILL_LOSSES.register_module()
class FSPLoss(BaseDistillLoss):
    """Flow-of-solution-procedure distillation of Yim et al., "A Gift from Knowledge Distillation: Fast Optimization,
    Network Minimization and Transfer Learning" (CVPR 2017).

    The FSP matrix of two maps ``F1 (N, C1, H, W)`` and ``F2 (N, C2, H, W)`` of one network is
    ``G = F1^T F2 / (H * W)`` of shape ``(N, C1, C2)``, with the maps flattened to ``(H * W, C)`` per sample: it
    describes how the network transforms the first map into the second. The loss is the mean squared difference of
    the student's and the teacher's FSP matrices over all ``N * C1 * C2`` entries.

    ``preds_S`` and ``preds_T`` are each a PAIR ``(first, second)`` of maps of their own network, typically the input
    and the output of a stage (e.g. ``backbone.layer3``). If the second map's spatial size differs from the first's,
    it is resized to it with bilinear interpolation. The student's ``C1, C2`` must equal the teacher's (true when the
    stages have the same widths, e.g. ResNet-18 vs ResNet-34). In a ``distill_cfg`` entry the pair is the two features
    the entry records per step: a module with a tuple output of two maps taken whole (no ``index``, e.g. a backbone with
    ``out_indices=(0, 1)``), or a module called twice per forward.

    Args:
        weight (float): Multiplier of the loss value (the paper weights every pair equally and uses FSP to initialise
            the student before the task training).
    """

    accepts_sequence = True
    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def compute(self, preds_S: Sequence[Tensor], preds_T: Sequence[Tensor]) -> Tensor:
        """Mean squared difference of the two FSP matrices.

        Args:
            preds_S (Sequence[Tensor]): Student pair ``(F1, F2)`` of shapes (N, C1, H, W) and (N, C2, H2, W2).
            preds_T (Sequence[Tensor]): Teacher pair of the same channels and batch size.

        Returns:
            Tensor: The scalar loss.
        """
        fsp_s = _fsp_matrix(*_check_pair(preds_S, 'student'))
        fsp_t = _fsp_matrix(*_check_pair(preds_T, 'teacher'))
        if fsp_s.shape != fsp_t.shape:
            raise ValueError('FSPLoss: the student and teacher FSP matrices differ in shape (N, C1, C2): '
                             f'{tuple(fsp_s.shape)} vs {tuple(fsp_t.shape)}; the pairs need the same batch size and '
                             'channels')
        return (fsp_s - fsp_t).pow(2).mean()


def _check_pair(pair: Sequence[Tensor], who: str) -> Sequence[Tensor]:
    """Return ``pair`` if it is two maps (N, C, H, W) with the same N; raise a ValueError otherwise."""
    if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(x, Tensor) for x in pair)
            or pair[0].dim() != 4 or pair[1].dim() != 4 or pair[0].shape[0] != pair[1].shape[0]):
        if isinstance(pair, (list, tuple)):
            found = f'a {type(pair).__name__} of {len(pair)}: ' + ', '.join(_describe(x) for x in pair)
        else:
            found = _describe(pair)
        raise ValueError(f'FSPLoss expects the {who} feature to be a pair of maps (N, C1, H, W), (N, C2, H2, W2), '
                         f'got {found}')
    return pair


def _describe(x: object) -> str:
    """``tensor (shape)`` for a tensor, the type name for anything else (for error messages)."""
    return f'tensor {tuple(x.shape)}' if isinstance(x, Tensor) else type(x).__name__


def _fsp_matrix(first: Tensor, second: Tensor) -> Tensor:
    """``F1^T F2 / (H * W)`` of shape (N, C1, C2), the second map resized to the first's spatial size."""
    if second.shape[2:] != first.shape[2:]:
        second = F.interpolate(second, size=first.shape[2:], mode='bilinear', align_corners=False)
    return first.flatten(2) @ second.flatten(2).transpose(1, 2) / (first.shape[2] * first.shape[3])
