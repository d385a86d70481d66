"""Size and cost of a model: parameters, FLOPs (counted by thop, as Ultralytics reports them) and channels."""
import copy
from dataclasses import asdict, dataclass
from typing import Dict, List, Tuple

import torch
from torch import nn


@dataclass
class ModelStats:
    """What pruning changes.

    Args:
        params (int): Number of parameters.
        flops (float): FLOPs of one forward pass on the example input (2 x the multiply-accumulates thop counts).
        channels (int): Output channels summed over every convolution.
    """

    params: int
    flops: float
    channels: int

    def as_dict(self) -> Dict[str, float]:
        """Plain-data form (for JSON and checkpoints).

        Returns:
            dict: ``params``, ``flops``, ``channels``.
        """
        return asdict(self)


def count_flops(model: nn.Module, inputs: torch.Tensor) -> float:
    """FLOPs of ``model(inputs)`` in eval mode, as 2 x thop's multiply-accumulate count.

    Args:
        model (nn.Module): The model (not modified: a copy is profiled).
        inputs (torch.Tensor): The example batch.

    Returns:
        float: FLOPs.
    """
    from thop import profile
    clone = copy.deepcopy(model).eval()
    with torch.no_grad():
        macs, _ = profile(clone, inputs=(inputs, ), verbose=False)
    return 2.0 * float(macs)


def model_stats(model: nn.Module, inputs: torch.Tensor) -> ModelStats:
    """Parameters, FLOPs and convolution channels of ``model``.

    Args:
        model (nn.Module): The model.
        inputs (torch.Tensor): The example batch the FLOPs are counted on.

    Returns:
        ModelStats: The figures.
    """
    params = sum(p.numel() for p in model.parameters())
    channels = sum(m.out_channels for m in model.modules() if isinstance(m, nn.Conv2d))
    return ModelStats(params=params, flops=count_flops(model, inputs), channels=channels)


def stats_table(rows: List[Tuple[str, ModelStats]]) -> str:
    """A markdown table of several models' figures, with the change relative to the first row.

    Args:
        rows (list[tuple[str, ModelStats]]): (label, figures), the reference first.

    Returns:
        str: The table.
    """
    ref = rows[0][1]
    lines = ['| model | params | GFLOPs | conv channels | params vs first | FLOPs vs first |',
             '|---|---|---|---|---|---|']
    for label, stats in rows:
        lines.append(f'| {label} | {stats.params:,} | {stats.flops / 1e9:.4f} | {stats.channels:,} | '
                     f'{stats.params / ref.params:.3f} | {stats.flops / max(ref.flops, 1.0):.3f} |')
    return '\n'.join(lines)
