"""A constant loss weight (optionally switched off at an epoch)."""
from ...registry import WEIGHT_SCHEDULES
from .base import BaseWeightSchedule, TrainProgress


@WEIGHT_SCHEDULES.register_module()
class ConstantWeight(BaseWeightSchedule):
    """Factor 1 for the whole run, or until ``stop_epoch``.

    Args:
        by_epoch (bool): Unused by the constant itself; kept for a uniform signature.
        stop_epoch (int, optional): Switch the method off from this epoch on.
    """

    def factor(self, step: int, progress: TrainProgress) -> float:
        """Always 1.

        Args:
            step (int): Ignored.
            progress (TrainProgress): Ignored.

        Returns:
            float: 1.0.
        """
        return 1.0
