"""Model compression: structured channel pruning (Torch-Pruning's dependency graph), sparse training of BatchNorm
scales (network slimming), and carrying pruned architectures through checkpoints, for mmdet, mmseg and YOLO models.
"""
from .importance import build_importance
from .keep import resolve_keep
from .mm import build_mm_model, default_mm_keep, prune_mm_model, save_mm_checkpoint
from .pruner import prune_channels
from .report import PruneReport, prune_and_measure
from .resize import load_pruned_checkpoint, resize_for_checkpoint, resize_to_state_dict
from .settings import CRITERIA, PruneSettings
from .sparsity import add_bn_sparsity_grad, bn_weights
from .stats import ModelStats, count_flops, model_stats, stats_table
from .yolo import default_yolo_keep, load_yolo_model, prune_yolo_model, save_yolo_checkpoint
from .yolo_blocks import SplitC2f, merge_c2f_blocks, split_c2f_blocks
from .yolo_trainer import BNSparsityTrainerMixin, PrunedModelTrainerMixin, build_yolo_trainer, is_pruned_yolo
from .yolo_training import YOLOTraining

__all__ = [
    'build_importance', 'resolve_keep', 'build_mm_model', 'default_mm_keep', 'prune_mm_model', 'save_mm_checkpoint',
    'prune_channels', 'PruneReport', 'prune_and_measure', 'load_pruned_checkpoint', 'resize_for_checkpoint',
    'resize_to_state_dict',
    'CRITERIA', 'PruneSettings', 'add_bn_sparsity_grad', 'bn_weights', 'ModelStats', 'count_flops', 'model_stats',
    'stats_table', 'default_yolo_keep', 'load_yolo_model', 'prune_yolo_model', 'save_yolo_checkpoint', 'SplitC2f',
    'merge_c2f_blocks', 'split_c2f_blocks', 'BNSparsityTrainerMixin', 'PrunedModelTrainerMixin',
    'build_yolo_trainer', 'is_pruned_yolo', 'YOLOTraining'
]
