"""Engine-agnostic distillation core: feature recorder, distill_cfg parsing, connectors, weight schedules."""
from .connectors import ChannelAlign, FeatureNorm, SpatialResize
from .distill_cfg import MethodSpec, PairSpec, parse_distill_cfg
from .errors import DistillConfigError, NonFiniteLossError
from .loss_set import DistillLossSet
from .method import DistillMethod
from .module_lookup import get_module
from .recorder import FeatureRecorder, HookSpec, StopForward
from .schedules import BaseWeightSchedule, ConstantWeight, CosineDecay, LinearWarmup, TrainProgress
from .teacher_dtype import resolve_teacher_dtype

__all__ = [
    'ChannelAlign', 'FeatureNorm', 'SpatialResize', 'MethodSpec', 'PairSpec', 'parse_distill_cfg',
    'DistillConfigError', 'NonFiniteLossError', 'DistillLossSet', 'DistillMethod', 'get_module', 'FeatureRecorder',
    'HookSpec',
    'StopForward', 'BaseWeightSchedule', 'ConstantWeight', 'CosineDecay', 'LinearWarmup', 'TrainProgress',
    'resolve_teacher_dtype'
]
