"""Loss-scale balancing: a method's weight measured against the student's own task loss instead of guessed."""
import logging
from typing import Optional, Sequence

import torch
import torch.distributed as dist
from mmengine.logging import print_log
from torch import Tensor, nn

from .ddp_sync import is_distributed

SHARES = ('equal', 'cells')


class LossBalancer(nn.Module):
    """Fix per-element multipliers of a method's loss so that it is a set fraction of the task loss.

    For the first ``iters`` training steps it only measures: the mean of each element's loss ``v_i`` (at the
    method's configured weight; an element is a level of a tuple or a call of a shared head, or the whole loss when
    the loss reduces the levels itself) and the mean task loss ``T``. Then it fixes the multipliers

        ``m_i = ratio * T * p_i / v_i`` (levels summed) or ``m_i = ratio * T * L * p_i / v_i`` (levels averaged)

    so that element ``i`` contributes the share ``p_i`` of a loss that starts near ``ratio * T``: ``p_i = 1 / L``
    (``shares='equal'``) or in proportion to the element's spatial positions (``shares='cells'``: a stride-8 level
    of an FPN gets 16 times the share of the stride-32 level, so that every cell weighs the same). The sums are
    reduced over the processes first, so every rank fixes the same multipliers. Everything is kept in buffers: a
    checkpoint carries the multipliers and a resumed run does not measure again.

    Args:
        name (str): The method's name, for the log line.
        ratio (float): The target distillation-to-task loss ratio.
        iters (int): Steps to measure over.
        num_elements (int): ``L``, the number of separately measured elements.
        mean_reduction (bool): The method averages its elements instead of summing them.
        shares (str): ``'equal'`` or ``'cells'``: how the target is split over the elements.
    """

    def __init__(self, name: str, ratio: float, iters: int, num_elements: int, mean_reduction: bool = False,
                 shares: str = 'equal') -> None:
        super().__init__()
        if shares not in SHARES:
            raise ValueError(f'{name}: balance shares must be one of {SHARES}, got {shares!r}')
        self.name = name
        self.ratio = ratio
        self.iters = iters
        self.shares = shares
        self.scale = float(num_elements) if mean_reduction else 1.0
        # Not in checkpoints: refreshed by every measuring step, and unused once the multipliers are fixed.
        self.register_buffer('cells', torch.ones(num_elements, dtype=torch.float64), persistent=False)
        self.register_buffer('loss_sums', torch.zeros(num_elements, dtype=torch.float64))
        self.register_buffer('task_sum', torch.zeros((), dtype=torch.float64))
        self.register_buffer('steps', torch.zeros((), dtype=torch.long))
        self.register_buffer('multipliers', torch.ones(num_elements))
        self.register_buffer('calibrated', torch.zeros((), dtype=torch.bool))

    @property
    def done(self) -> bool:
        """Whether the multipliers are fixed."""
        return bool(self.calibrated)

    def observe(self, values: Tensor, task_loss: Tensor, cells: Optional[Sequence[int]] = None) -> None:
        """Add one step's measurements; fix the multipliers after ``iters`` steps.

        Args:
            values (Tensor): The step's loss of each element (``L`` values, detached).
            task_loss (Tensor): The student's task loss of the step (detached scalar).
            cells (Sequence[int], optional): Spatial positions of each element's feature (used by
                ``shares='cells'``).
        """
        if cells is not None:
            self.cells.copy_(torch.as_tensor(cells, dtype=torch.float64))
        self.loss_sums += values.detach().to(self.loss_sums)
        self.task_sum += task_loss.detach().to(self.task_sum)
        self.steps += 1
        if int(self.steps) < self.iters:
            return
        sums = torch.cat([self.loss_sums, self.task_sum.reshape(1), self.steps.reshape(1).to(self.loss_sums)])
        if is_distributed():
            dist.all_reduce(sums)
        mean_losses, mean_task = sums[:-2] / sums[-1], sums[-2] / sums[-1]
        if self.shares == 'cells':
            shares = self.cells / self.cells.sum()
        else:
            shares = torch.full_like(mean_losses, 1 / len(mean_losses))
        target = self.ratio * mean_task * self.scale * shares
        multipliers = torch.where(mean_losses > 0, target / mean_losses.clamp_min(1e-30), torch.zeros_like(target))
        self.multipliers.copy_(multipliers.to(self.multipliers))
        self.calibrated.fill_(True)
        print_log(f'{self.name}: balanced over {self.iters} iterations: task loss {float(mean_task):.4g}, loss per '
                  f'element {[round(float(v), 6) for v in mean_losses]} -> multipliers '
                  f'{[float(f"{float(m):.4g}") for m in self.multipliers]} (target ratio {self.ratio}'
                  + (f', shares by cells {[int(c) for c in self.cells]})' if self.shares == 'cells' else ')'),
                  logger='current', level=logging.INFO)
