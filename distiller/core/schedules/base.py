"""The base class of loss-weight schedules and the training progress they read."""
from dataclasses import dataclass
from typing import Optional


@dataclass
class TrainProgress:
    """Where training is.

    Args:
        iter (int): Iterations done so far (0 on the first step).
        epoch (int): Epochs done so far (0 during the first epoch).
        max_iters (int, optional): Total iterations of the run, when known.
        max_epochs (int, optional): Total epochs of the run, when known.
        iters_per_epoch (int, optional): Iterations in one epoch, when known.
    """

    iter: int = 0
    epoch: int = 0
    max_iters: Optional[int] = None
    max_epochs: Optional[int] = None
    iters_per_epoch: Optional[int] = None


class BaseWeightSchedule:
    """A factor on a method's ``weight`` as a function of training progress.

    Args:
        by_epoch (bool): Count the schedule in epochs (True) or iterations (False).
        stop_epoch (int, optional): From this epoch on (0-based: ``stop_epoch=10`` distils during epochs 0..9) the
            factor is 0 and the method is switched off.
    """

    def __init__(self, by_epoch: bool = False, stop_epoch: Optional[int] = None) -> None:
        self.by_epoch = by_epoch
        self.stop_epoch = stop_epoch

    def __call__(self, progress: TrainProgress) -> float:
        """The factor at ``progress``.

        Args:
            progress (TrainProgress): Where training is.

        Returns:
            float: The factor the method's weight is multiplied by.
        """
        if self.stop_epoch is not None and progress.epoch >= self.stop_epoch:
            return 0.0
        return self.factor(progress.epoch if self.by_epoch else progress.iter, progress)

    def factor(self, step: int, progress: TrainProgress) -> float:
        """The factor at ``step`` (epoch or iteration count); implemented by subclasses.

        Args:
            step (int): Epochs or iterations done, per ``by_epoch``.
            progress (TrainProgress): The whole progress, for schedules that need the run length.

        Returns:
            float: The factor.
        """
        raise NotImplementedError

    def total_steps(self, progress: TrainProgress) -> Optional[int]:
        """Length of the run in this schedule's unit, when known."""
        return progress.max_epochs if self.by_epoch else progress.max_iters
