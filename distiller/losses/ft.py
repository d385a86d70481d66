"""Factor transfer (FT)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class FTLoss(BaseDistillLoss):
    """A paraphraser-free factor transfer after Kim et al., "Paraphrasing Complex Network: Network Compression via
    Factor Transfer" (NeurIPS 2018).

    Teacher factor: the paper trains a convolutional auto-encoder (the paraphraser) on the teacher feature
    beforehand and uses its encoder output. Here the paraphraser is a FIXED linear map: a 1x1 projection from
    ``teacher_channels`` to ``factor_channels`` whose weight is a random matrix with orthonormal rows, drawn once at
    construction (it follows ``torch.manual_seed``) and stored as a buffer, so it is saved in checkpoints and never
    optimised. With ``factor_channels == teacher_channels`` (the default) it is the identity, i.e. the factor is the
    teacher feature itself.

    Student factor: a translator ``conv3x3 -> LeakyReLU(0.1) -> conv3x3 -> LeakyReLU(0.1) -> conv3x3`` from
    ``student_channels`` to ``factor_channels``, the last layer linear so it can produce the signed teacher factor.
    Only the translator is trained.

    The loss is the L1 distance between the per-sample flattened factors, each L2-normalised, averaged over the
    ``N * factor_channels * H * W`` entries (the paper's ``p = 1``). Student and teacher must have the same ``N, H, W``.

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        factor_channels (int, optional): Channels of the factors; at most ``teacher_channels``. Defaults to
            ``teacher_channels`` (the paper uses half of them, its factor rate 0.5).
        weight (float): Multiplier of the loss value (200 in the CRD benchmark).
    """

    def __init__(self, student_channels: int, teacher_channels: int, factor_channels: Optional[int] = None,
                 weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        factor_channels = teacher_channels if factor_channels is None else factor_channels
        if not 0 < factor_channels <= teacher_channels:
            raise ValueError(f'FTLoss: factor_channels must be in [1, teacher_channels={teacher_channels}], '
                             f'got {factor_channels}')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.translator = nn.Sequential(
            nn.Conv2d(student_channels, factor_channels, kernel_size=3, padding=1), nn.LeakyReLU(0.1),
            nn.Conv2d(factor_channels, factor_channels, kernel_size=3, padding=1), nn.LeakyReLU(0.1),
            nn.Conv2d(factor_channels, factor_channels, kernel_size=3, padding=1))
        if factor_channels == teacher_channels:
            paraphraser = torch.eye(teacher_channels)
        else:
            paraphraser = nn.init.orthogonal_(torch.empty(factor_channels, teacher_channels))
        self.register_buffer('paraphraser', paraphraser)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Mean L1 distance of the normalised student and teacher factors.

        Args:
            preds_S (Tensor): Student feature of shape (N, student_channels, H, W).
            preds_T (Tensor): Teacher feature of shape (N, teacher_channels, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('FTLoss', preds_S, preds_T, f'a student (N, {self.student_channels}, H, W) and a teacher '
                     f'(N, {self.teacher_channels}, H, W)', ndim=4, same=(0, 2, 3),
                     channels=(self.student_channels, self.teacher_channels))
        factor_s = F.normalize(self.translator(preds_S).flatten(1), dim=1)
        factor_t = torch.einsum('fc,nchw->nfhw', self.paraphraser, preds_T)
        return (factor_s - F.normalize(factor_t.flatten(1), dim=1)).abs().mean()
