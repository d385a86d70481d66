"""Distillation of Ultralytics YOLO models (detect, segment, pose) inside Ultralytics' own trainer."""
from .criterion import DistillCriterion
from .distiller import YOLODistiller
from .head import expand_distill_cfg, find_head, head_input_layers
from .loss_set import build_yolo_loss_set
from .runner import is_yolo_config, test_yolo_config, train_yolo_config
from .trainer import DistillTrainerMixin, YOLODistillSettings, build_distill_trainer, strip_distillation

__all__ = [
    'DistillCriterion', 'YOLODistiller', 'expand_distill_cfg', 'find_head', 'head_input_layers',
    'build_yolo_loss_set', 'is_yolo_config', 'test_yolo_config', 'train_yolo_config', 'DistillTrainerMixin',
    'YOLODistillSettings', 'build_distill_trainer', 'strip_distillation'
]
