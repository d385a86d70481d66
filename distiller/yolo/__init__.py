"""The Ultralytics integration: distillation of YOLO models (detect, segment, pose) inside Ultralytics' own trainer,
plain and sparse YOLO training, and the YOLO pruning adapter (:mod:`.pruning`, imported on its own: it needs
Torch-Pruning)."""
from .compression_trainer import BNSparsityTrainerMixin, PrunedModelTrainerMixin, build_yolo_trainer, is_pruned_yolo
from .criterion import DistillCriterion
from .head import expand_distill_cfg, find_head, head_input_layers
from .head_loss_set import build_yolo_loss_set
from .split_c2f import SplitC2f, merge_c2f_blocks, split_c2f_blocks
from .trainer import DistillTrainerMixin, YOLODistillSettings, build_distill_trainer, strip_distillation
from .yolo_distiller import YOLODistiller
from .yolo_runner import YOLORunner, is_yolo_config
from .yolo_training import YOLOTraining

__all__ = [
    'BNSparsityTrainerMixin', 'PrunedModelTrainerMixin', 'build_yolo_trainer', 'is_pruned_yolo', 'DistillCriterion',
    'expand_distill_cfg', 'find_head', 'head_input_layers', 'build_yolo_loss_set', 'SplitC2f', 'merge_c2f_blocks',
    'split_c2f_blocks', 'DistillTrainerMixin', 'YOLODistillSettings', 'build_distill_trainer', 'strip_distillation',
    'YOLODistiller', 'YOLORunner', 'YOLOTraining', 'is_yolo_config'
]
