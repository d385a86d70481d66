"""Channel pruning through Torch-Pruning's dependency graph (MetaPruner)."""
from typing import Callable, List, Optional

import torch
import torch_pruning as tp
from torch import nn

from .importance import build_importance
from .settings import PruneSettings


def prune_channels(model: nn.Module, example_inputs: torch.Tensor, settings: PruneSettings,
                   keep_modules: List[nn.Module], forward_fn: Optional[Callable] = None) -> int:
    """Remove the least important output channels of every prunable layer group, in place.

    The dependency graph couples every layer that shares a channel (a conv, its BatchNorm, the next layers' inputs,
    residual additions, concatenations), so whatever is removed leaves a runnable model.

    Args:
        model (nn.Module): The model, in eval mode.
        example_inputs (torch.Tensor): A batch the graph is traced with.
        settings (PruneSettings): Ratio, criterion, global ranking, rounding.
        keep_modules (list[nn.Module]): Modules (and their submodules) whose output channels stay.
        forward_fn (Callable, optional): ``forward_fn(model, inputs)`` running every layer that must be traced
            (e.g. a segmentor's auxiliary head); default ``model(inputs)``.

    Returns:
        int: Number of channels removed, summed over the groups.
    """
    for param in model.parameters():
        param.requires_grad_(True)  # the graph is traced through autograd
    pruner = tp.pruner.MetaPruner(
        model, example_inputs, importance=build_importance(settings.criterion), pruning_ratio=settings.ratio,
        global_pruning=settings.global_pruning, max_pruning_ratio=settings.max_layer_ratio,
        ignored_layers=list(keep_modules), round_to=settings.round_to, forward_fn=forward_fn)
    removed = 0
    for group in pruner.step(interactive=True):
        removed += len(group[0].idxs)
        group.prune()
    return removed
