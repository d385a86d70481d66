"""Pruning a model and measuring it before and after, whatever framework it comes from."""
from dataclasses import dataclass
from typing import Callable, List, Optional

import torch
from torch import nn

from .keep import resolve_keep
from .pruner import prune_channels
from .settings import PruneSettings
from .stats import ModelStats, model_stats, stats_table


@dataclass
class PruneReport:
    """What a pruning run did.

    Args:
        before (ModelStats): Figures of the model as it came in.
        after (ModelStats): Figures of the pruned model.
        removed_channels (int): Channels removed, summed over the dependency groups.
        keep (list[str]): Modules whose output channels were kept.
        settings (PruneSettings): The settings used.
    """

    before: ModelStats
    after: ModelStats
    removed_channels: int
    keep: List[str]
    settings: PruneSettings

    def table(self) -> str:
        """The before/after table (markdown).

        Returns:
            str: Params, GFLOPs and conv channels of both models, with the ratios.
        """
        return stats_table([('original', self.before), (f'pruned ({self.settings.criterion}, '
                                                        f'ratio {self.settings.ratio:g})', self.after)])

    def summary(self) -> dict:
        """Plain-data record for the checkpoint's metadata.

        Returns:
            dict: Settings, kept modules and both sets of figures.
        """
        record = self.settings.summary()
        record.update(keep=list(self.keep), before=self.before.as_dict(), after=self.after.as_dict(),
                      removed_channels=self.removed_channels)
        return record


def prune_and_measure(model: nn.Module, inputs: torch.Tensor, settings: PruneSettings, default_keep: List[str],
                      forward_fn: Optional[Callable] = None, prepare: Optional[Callable] = None,
                      finish: Optional[Callable] = None) -> PruneReport:
    """Measure ``model``, prune it in place, measure it again.

    Args:
        model (nn.Module): The model (put in eval mode).
        inputs (torch.Tensor): Example batch for tracing and FLOP counting.
        settings (PruneSettings): What to prune; ``settings.keep`` None means ``default_keep``.
        default_keep (list[str]): The model family's modules to keep (its heads).
        forward_fn (Callable, optional): Traces every layer (see :func:`prune_channels`).
        prepare (Callable, optional): ``prepare(model)`` makes the model prunable (run after measuring it).
        finish (Callable, optional): ``finish(model)`` undoes ``prepare`` where possible.

    Returns:
        PruneReport: The figures.
    """
    model.eval()
    keep_names = list(default_keep if settings.keep is None else settings.keep)
    resolve_keep(model, keep_names)  # fail on a wrong name before any work
    before = model_stats(model, inputs)
    if prepare is not None:
        prepare(model)
    removed = prune_channels(model, inputs, settings, resolve_keep(model, keep_names), forward_fn=forward_fn)
    if finish is not None:
        finish(model)
    return PruneReport(before=before, after=model_stats(model, inputs), removed_channels=removed, keep=keep_names,
                       settings=settings)
