"""Masked generative distillation (MGD)."""
import torch
from torch import Tensor, nn

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class MGDLoss(BaseDistillLoss):
    """Masked generative distillation of Yang et al., "Masked Generative Distillation" (ECCV 2022).

    The student feature (aligned to the teacher's channels by a 1x1 conv when they differ) is multiplied by a random
    spatial mask of shape ``(N, 1, H, W)``: a position is dropped (set to 0) when a uniform draw ``u`` satisfies
    ``u < lambda_mgd``, i.e. with probability ``lambda_mgd``, and kept when ``u >= lambda_mgd``. A generation block
    ``conv3x3 -> ReLU -> conv3x3`` rebuilds the teacher feature from what is left, and the loss is
    ``alpha_mgd * sum((G(mask * align(S)) - T) ** 2) / N``.

    The mask is drawn with ``torch.rand`` on the feature's device, so it follows ``torch.manual_seed``.

    Settings of the paper: ``alpha_mgd=2e-5, lambda_mgd=0.65`` for one-stage detectors, ``5e-7, 0.45`` for two-stage
    detectors, ``2e-5, 0.75`` for semantic segmentation (``7e-5, 0.5`` for classification).

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        alpha_mgd (float): Scale of the summed squared error.
        lambda_mgd (float): Probability that a spatial position of the student feature is masked out.
        weight (float): Multiplier of the loss value (1 in the paper; ``alpha_mgd`` carries the scale).
    """

    def __init__(self, student_channels: int, teacher_channels: int, alpha_mgd: float = 2e-5,
                 lambda_mgd: float = 0.65, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if not 0.0 <= lambda_mgd < 1.0:
            raise ValueError(f'MGDLoss: lambda_mgd is a masking probability in [0, 1), got {lambda_mgd}')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.alpha_mgd = float(alpha_mgd)
        self.lambda_mgd = float(lambda_mgd)
        self.align = (nn.Conv2d(student_channels, teacher_channels, kernel_size=1)
                      if student_channels != teacher_channels else nn.Identity())
        self.generation = nn.Sequential(
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1))

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Squared error between the teacher feature and the feature generated from the masked student.

        Args:
            preds_S (Tensor): Student feature of shape (N, student_channels, H, W).
            preds_T (Tensor): Teacher feature of shape (N, teacher_channels, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        n, _, h, w = _check_shapes(preds_S, preds_T, self.student_channels, self.teacher_channels)
        keep = torch.rand(n, 1, h, w, device=preds_S.device) >= self.lambda_mgd
        generated = self.generation(self.align(preds_S) * keep)
        return self.alpha_mgd * (generated - preds_T).pow(2).sum() / n


def _check_shapes(preds_S: Tensor, preds_T: Tensor, student_channels: int, teacher_channels: int) -> torch.Size:
    """Check that both features are (N, C, H, W) with the configured channels and the same N, H, W."""
    check_shapes('MGDLoss', preds_S, preds_T, f'a student (N, {student_channels}, H, W) and a teacher '
                 f'(N, {teacher_channels}, H, W)', ndim=4, same=(0, 2, 3),
                 channels=(student_channels, teacher_channels))
    return preds_T.shape
