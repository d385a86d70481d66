"""Loss-weight schedules (registered in ``WEIGHT_SCHEDULES``)."""
from .base import BaseWeightSchedule, TrainProgress
from .constant import ConstantWeight
from .cosine_decay import CosineDecay
from .linear_warmup import LinearWarmup

__all__ = ['BaseWeightSchedule', 'TrainProgress', 'ConstantWeight', 'CosineDecay', 'LinearWarmup']
