"""One distillation method at run time: its connectors, its loss and its weight schedule."""
from typing import Any, List, Optional

import torch
from torch import Tensor, nn

from ..registry import WEIGHT_SCHEDULES
from .connectors import FeatureNorm, SpatialResize
from .precision import autocast_off, to_float32
from .schedules import BaseWeightSchedule, TrainProgress


class DistillMethod(nn.Module):
    """Connectors + loss of one ``methods`` entry, applied to every recorded student/teacher feature pair.

    Args:
        loss (nn.Module): The built loss (a ``BaseDistillLoss``).
        align (nn.Module, optional): Student-side channel connector.
        norm_channels (int, optional): Channels of the parameter-free BatchNorm put on both sides (None: no norm).
        resize (bool): Resize student features to the teacher's spatial size when they differ.
        schedule (dict, optional): Weight schedule config.
    """

    def __init__(self, loss: nn.Module, align: Optional[nn.Module] = None, norm_channels: Optional[int] = None,
                 resize: bool = False, schedule: Optional[dict] = None) -> None:
        super().__init__()
        self.loss = loss
        self.align = align
        self.norm_student = FeatureNorm(norm_channels) if norm_channels else None
        self.norm_teacher = FeatureNorm(norm_channels) if norm_channels else None
        self.resize = SpatialResize() if resize else None
        self.schedule: Optional[BaseWeightSchedule] = WEIGHT_SCHEDULES.build(schedule) if schedule else None
        self.factor = 1.0

    def set_progress(self, progress: TrainProgress) -> float:
        """Update the schedule factor.

        Args:
            progress (TrainProgress): Where training is.

        Returns:
            float: The new factor on the loss weight.
        """
        self.factor = self.schedule(progress) if self.schedule is not None else 1.0
        return self.factor

    def forward(self, student: List[Tensor], teacher: List[Tensor], **extra: Any) -> Tensor:
        """Loss over all feature pairs (summed over FPN levels / head calls unless the loss takes the sequence).

        Args:
            student (list[Tensor]): Student features, one per call/level.
            teacher (list[Tensor]): Teacher features, same length.
            **extra: Inputs the loss requires (gt boxes, targets, ...).

        Returns:
            Tensor: Scalar loss times the schedule factor, in float32: under autocast (AMP) the connectors and the
            loss run with autocast off on float32 copies of half-precision features, so softmaxes, logs and sums of
            squares neither overflow nor lose the small differences they measure.
        """
        with autocast_off(student):
            return self._loss(to_float32(student), to_float32(teacher), **extra)

    def _loss(self, student: List[Tensor], teacher: List[Tensor], **extra: Any) -> Tensor:
        """The weighted loss of float32 features (see :meth:`forward`)."""
        if self.factor == 0:
            return sum((p.sum() * 0 for p in self.parameters()), torch.zeros((), device=student[0].device))
        pairs = [self._connect(s, t) for s, t in zip(student, teacher)]
        if self.loss.accepts_sequence:
            loss = self.loss([s for s, _ in pairs], [t for _, t in pairs], **extra)
        else:
            loss = sum(self.loss(s, t, **extra) for s, t in pairs)
        return loss * self.factor if self.factor != 1 else loss

    def _connect(self, student: Tensor, teacher: Tensor):
        """Apply the connectors to one pair."""
        teacher = teacher.detach()
        if self.align is not None:
            student = self.align(student)
        if self.resize is not None:
            student = self.resize(student, teacher)
        if self.norm_student is not None:
            student, teacher = self.norm_student(student), self.norm_teacher(teacher)
        return student, teacher
