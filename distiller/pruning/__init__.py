"""The engine-agnostic compression core: structured channel pruning (Torch-Pruning's dependency graph), sparse
training of BatchNorm scales (network slimming), model statistics, and carrying pruned shapes through checkpoints.

Importing this package does not import Torch-Pruning: :mod:`.pruner`, :mod:`.importance` and :mod:`.report` do,
and only the pruning adapters (``distiller.engine.mm_pruning``, ``distiller.yolo.pruning``) import them.
"""
from .keep import resolve_keep
from .resize import load_pruned_checkpoint, resize_for_checkpoint, resize_to_state_dict
from .settings import CRITERIA, PruneSettings
from .sparsity import add_bn_sparsity_grad, bn_weights
from .stats import ModelStats, count_flops, model_stats, stats_table

__all__ = [
    'resolve_keep', 'load_pruned_checkpoint', 'resize_for_checkpoint', 'resize_to_state_dict', 'CRITERIA',
    'PruneSettings', 'add_bn_sparsity_grad', 'bn_weights', 'ModelStats', 'count_flops', 'model_stats', 'stats_table'
]
