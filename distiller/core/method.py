"""One distillation method at run time: its connectors, its loss and its weight schedule."""
from typing import Any, List, Optional, Union

import torch
from torch import Tensor, nn

from ..registry import WEIGHT_SCHEDULES
from .connectors import SpatialResize
from .loss_balance import LossBalancer
from .precision import autocast_off, to_float32
from .schedules import BaseWeightSchedule, TrainProgress
from .teacher_path import TeacherPath

Part = Optional[Union[nn.Module, nn.ModuleList]]


class DistillMethod(nn.Module):
    """Connectors + loss of one ``methods`` entry, applied to every recorded student/teacher feature pair.

    A pair records one feature per call of its module and per element of a tuple output (FPN levels, a shared head
    called once per level, backbone stages). Where every element has the same channels, one set of connectors and one
    loss serve them all. Where the channels differ, the connectors, the norms and any loss that owns parameters are
    given as ``nn.ModuleList`` with one module per element; parameter-free losses stay shared.

    Args:
        loss (nn.Module | nn.ModuleList): The built loss (a ``BaseDistillLoss``), or one per element.
        align (nn.Module | nn.ModuleList, optional): Student-side channel connector(s); ``nn.Identity`` entries for
            elements that need none.
        norm_student (nn.Module | nn.ModuleList, optional): Parameter-free norm(s) on the student side.
        norm_teacher (nn.Module | nn.ModuleList, optional): Parameter-free norm(s) on the teacher side.
        resize (bool): Resize student features to the teacher's spatial size when they differ.
        schedule (dict, optional): Weight schedule config.
        level_reduction (str): ``'sum'`` or ``'mean'`` of the per-element losses.
        balancer (LossBalancer, optional): Loss-scale balancing: while it measures, the method adds nothing to the
            training loss; afterwards each element's loss is multiplied by its fixed multiplier.
        teacher_path (TeacherPath, optional): Frozen teacher modules the aligned student feature goes through before
            the loss (it holds no parameters of its own).
    """

    def __init__(self, loss: Union[nn.Module, nn.ModuleList], align: Part = None, norm_student: Part = None,
                 norm_teacher: Part = None, resize: bool = False, schedule: Optional[dict] = None,
                 level_reduction: str = 'sum', balancer: Optional[LossBalancer] = None,
                 teacher_path: Optional[TeacherPath] = None) -> None:
        super().__init__()
        self.loss = loss
        self.align = align
        self.teacher_path = teacher_path
        self.norm_student = norm_student
        self.norm_teacher = norm_teacher
        self.resize = SpatialResize() if resize else None
        self.schedule: Optional[BaseWeightSchedule] = WEIGHT_SCHEDULES.build(schedule) if schedule else None
        self.factor = 1.0
        self.level_losses: List[Tensor] = []
        self.level_reduction = level_reduction
        self.balancer = balancer

    @property
    def loss_module(self) -> nn.Module:
        """The loss (the first one where there is one per element): what it ``requires`` and accepts."""
        return self.loss[0] if isinstance(self.loss, nn.ModuleList) else self.loss

    def set_progress(self, progress: TrainProgress) -> float:
        """Update the schedule factor.

        Args:
            progress (TrainProgress): Where training is.

        Returns:
            float: The new factor on the loss weight.
        """
        self.factor = self.schedule(progress) if self.schedule is not None else 1.0
        return self.factor

    def forward(self, student: List[Tensor], teacher: List[Tensor], task_loss: Optional[Tensor] = None,
                **extra: Any) -> Tensor:
        """Loss over all feature pairs (summed, or averaged, over elements unless the loss takes the sequence).

        Args:
            student (list[Tensor]): Student features, one per call/element.
            teacher (list[Tensor]): Teacher features, same length.
            task_loss (Tensor, optional): The student's task loss of the step; needed while a balancer measures.
            **extra: Inputs the loss requires (gt boxes, targets, ...).

        Returns:
            Tensor: Scalar loss times the schedule factor, in float32: under autocast (AMP) the connectors and the
            loss run with autocast off on float32 copies of half-precision features, so softmaxes, logs and sums of
            squares neither overflow nor lose the small differences they measure. The unscaled per-element values
            are kept in :attr:`level_losses` for the logs.
        """
        with autocast_off(student):
            return self._loss(to_float32(student), to_float32(teacher), task_loss, **extra)

    def _loss(self, student: List[Tensor], teacher: List[Tensor], task_loss: Optional[Tensor],
              **extra: Any) -> Tensor:
        """The weighted loss of float32 features (see :meth:`forward`)."""
        measuring = self.balancer is not None and not self.balancer.done
        if self.factor == 0 and not measuring:
            self.level_losses = []
            return self._zero(student[0].device)
        pairs = [self._connect(i, s, t) for i, (s, t) in enumerate(zip(student, teacher))]
        if self.loss_module.accepts_sequence:
            levels = [self.loss_module([s for s, _ in pairs], [t for _, t in pairs], **extra)]
            self.level_losses = []
        else:
            levels = [_part(self.loss, i)(s, t, **extra) for i, (s, t) in enumerate(pairs)]
            self.level_losses = [v.detach() for v in levels] if len(levels) > 1 else []
        if measuring:
            if task_loss is None:
                raise RuntimeError(f'{self.balancer.name}: balancing needs the task loss, which was not passed')
            cells = None
            if self.balancer.shares == 'cells' and len(levels) == len(pairs):  # one loss value per recorded pair
                cells = [t[0, 0].numel() if t.dim() > 2 else 1 for _, t in pairs]
            self.balancer.observe(torch.stack([v.detach() for v in levels]), task_loss, cells)
            return self._zero(student[0].device)
        if self.balancer is not None:
            levels = [v * m for v, m in zip(levels, self.balancer.multipliers)]
        loss = sum(levels) / len(levels) if self.level_reduction == 'mean' else sum(levels)
        return loss * self.factor if self.factor != 1 else loss

    def _zero(self, device: torch.device) -> Tensor:
        """A zero loss that still reaches every parameter (so DDP sees them all used)."""
        return sum((p.sum() * 0 for p in self.parameters()), torch.zeros((), device=device))

    def _connect(self, index: int, student: Tensor, teacher: Tensor):
        """Apply the connectors of element ``index`` to one pair (the loss detaches the teacher side)."""
        if self.align is not None:
            student = _part(self.align, index)(student)
        if self.teacher_path is not None:
            student = self.teacher_path(student)
        if self.resize is not None:
            student = self.resize(student, teacher)
        if self.norm_student is not None:
            student, teacher = _part(self.norm_student, index)(student), _part(self.norm_teacher, index)(teacher)
        return student, teacher


def _part(module: Union[nn.Module, nn.ModuleList], index: int) -> nn.Module:
    """The module of element ``index``: the shared one, or the element's own."""
    return module[index] if isinstance(module, nn.ModuleList) else module
