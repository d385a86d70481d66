"""Cosine decay of a loss weight between two factors, over the run or restarting every epoch (the YOLOv8 MGD
recipe)."""
import math
from typing import Optional

from ...registry import WEIGHT_SCHEDULES
from .base import BaseWeightSchedule, TrainProgress


@WEIGHT_SCHEDULES.register_module()
class CosineDecay(BaseWeightSchedule):
    """Factor ``(1 - cos(i * pi / n)) / 2 * (end - start) + start`` for step ``i`` of ``n``; ``end`` after that.

    By default ``i`` counts the run's iterations (or epochs with ``by_epoch``) and ``n`` is the run length. The
    YOLOv8 MGD recipe restarts the decay every epoch: ``i`` is the batch index inside the epoch and ``n`` the batches
    per epoch, with ``start=1.0, end=0.1`` (``per_epoch=True``). In an iteration-based mmengine run, whose one
    "epoch" is the whole run, give ``num_steps`` (the iterations of a pass over the data) for the same effect.

    Args:
        start (float): Factor at step 0.
        end (float): Factor at step ``n`` and after.
        num_steps (int, optional): ``n``. Default: the length of the run (``max_iters``, or ``max_epochs`` with
            ``by_epoch=True``).
        by_epoch (bool): Count in epochs instead of iterations.
        stop_epoch (int, optional): Switch the method off from this epoch on.
        per_epoch (bool): Restart every epoch (``num_steps`` iterations when given): ``i`` is the iteration inside
            the period and ``n`` its length.
    """

    def __init__(self, start: float = 1.0, end: float = 0.1, num_steps: Optional[int] = None, by_epoch: bool = False,
                 stop_epoch: Optional[int] = None, per_epoch: bool = False) -> None:
        super().__init__(by_epoch, stop_epoch)
        if num_steps is not None and num_steps <= 0:
            raise ValueError(f'CosineDecay: num_steps must be positive, got {num_steps}')
        if per_epoch and by_epoch:
            raise ValueError('CosineDecay: per_epoch restarts within each epoch, so it counts iterations; '
                             'drop by_epoch')
        self.per_epoch = per_epoch
        self.start = start
        self.end = end
        self.num_steps = num_steps

    def factor(self, step: int, progress: TrainProgress) -> float:
        """The cosine-interpolated factor.

        Args:
            step (int): Epochs or iterations done.
            progress (TrainProgress): Gives the run length when ``num_steps`` is not set.

        Returns:
            float: The factor.

        Raises:
            ValueError: ``num_steps`` is not set and the run length is unknown.
        """
        if self.per_epoch:
            total = self.num_steps or progress.iters_per_epoch
            if not total:
                raise ValueError('CosineDecay(per_epoch=True): set num_steps, or run it where the iterations per '
                                 'epoch are known')
            return (1 - math.cos((step % total) * math.pi / total)) / 2 * (self.end - self.start) + self.start
        total = self.num_steps or self.total_steps(progress)
        if not total:
            raise ValueError('CosineDecay: set num_steps, or run it where the total number of '
                             f'{"epochs" if self.by_epoch else "iterations"} is known')
        i = min(step, total)
        return (1 - math.cos(i * math.pi / total)) / 2 * (self.end - self.start) + self.start
