"""Linear warm-up of a loss weight."""
from typing import Optional

from ...registry import WEIGHT_SCHEDULES
from .base import BaseWeightSchedule, TrainProgress


@WEIGHT_SCHEDULES.register_module()
class LinearWarmup(BaseWeightSchedule):
    """Factor rising linearly from ``start_factor`` to 1 over the first ``warmup`` steps, then 1.

    Args:
        warmup (int): Length of the warm-up in iterations (or epochs with ``by_epoch=True``); must be > 0.
        start_factor (float): Factor at step 0.
        by_epoch (bool): Count in epochs instead of iterations.
        stop_epoch (int, optional): Switch the method off from this epoch on.
    """

    def __init__(self, warmup: int, start_factor: float = 0.0, by_epoch: bool = False,
                 stop_epoch: Optional[int] = None) -> None:
        super().__init__(by_epoch, stop_epoch)
        if warmup <= 0:
            raise ValueError(f'LinearWarmup: warmup must be a positive number of steps, got {warmup}')
        self.warmup = warmup
        self.start_factor = start_factor

    def factor(self, step: int, progress: TrainProgress) -> float:
        """``start + (1 - start) * min(step / warmup, 1)``.

        Args:
            step (int): Epochs or iterations done.
            progress (TrainProgress): Unused.

        Returns:
            float: The factor.
        """
        return self.start_factor + (1.0 - self.start_factor) * min(step / self.warmup, 1.0)
