"""Making Ultralytics' C2f / C3k2 blocks prunable by the dependency graph, and back.

``C2f.forward`` splits one convolution's output with ``chunk(2, 1)``; Torch-Pruning cannot follow channel indices
through that split. :class:`SplitC2f` computes the same function with two convolutions (the two halves of ``cv1``)
whose outputs are used separately, which the graph handles. After pruning, :func:`merge_c2f_blocks` turns every
block whose halves kept the same width back into the original Ultralytics class, so the checkpoint needs nothing but
Ultralytics to load.
"""
import copy
from typing import Optional

import torch
from torch import nn

LAYER_ATTRS = ('i', 'f', 'type', 'np')  # what Ultralytics' model loop and printing read on a top-level layer


def _conv_slice(conv: nn.Module, start: int, stop: int) -> nn.Module:
    """A copy of an Ultralytics ``Conv`` (conv + BN + act) keeping output channels ``start:stop``."""
    out = copy.deepcopy(conv)
    out.conv.weight = nn.Parameter(conv.conv.weight.detach()[start:stop].clone())
    out.conv.out_channels = stop - start
    bn = out.bn
    for name in ('weight', 'bias'):
        setattr(bn, name, nn.Parameter(getattr(conv.bn, name).detach()[start:stop].clone()))
    for name in ('running_mean', 'running_var'):
        setattr(bn, name, getattr(conv.bn, name)[start:stop].clone())
    bn.num_features = stop - start
    return out


def _conv_concat(first: nn.Module, second: nn.Module) -> nn.Module:
    """One Ultralytics ``Conv`` whose output channels are those of ``first`` then ``second`` (same input)."""
    out = copy.deepcopy(first)
    out.conv.weight = nn.Parameter(torch.cat([first.conv.weight.detach(), second.conv.weight.detach()]))
    out.conv.out_channels = out.conv.weight.shape[0]
    for name in ('weight', 'bias'):
        setattr(out.bn, name, nn.Parameter(torch.cat([getattr(first.bn, name), getattr(second.bn, name)]).detach()))
    for name in ('running_mean', 'running_var'):
        setattr(out.bn, name, torch.cat([getattr(first.bn, name), getattr(second.bn, name)]))
    out.bn.num_features = out.conv.out_channels
    return out


class SplitC2f(nn.Module):
    """A C2f-family block (``C2f``, ``C3k2``, ``C2fCIB``) with ``cv1`` split into two convolutions.

    ``forward`` equals the original block's: ``cv0`` and ``cv1`` produce what ``cv1(x).chunk(2, 1)`` did.

    Args:
        block (nn.Module): The Ultralytics block; its ``cv2`` and ``m`` are reused, ``cv1`` is copied in halves.
    """

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        half = block.c
        self.cv0 = _conv_slice(block.cv1, 0, half)
        self.cv1 = _conv_slice(block.cv1, half, 2 * half)
        self.cv2 = block.cv2
        self.m = block.m
        self.source_class = type(block)
        self.training = block.training  # the reused submodules keep their own modes
        for attr in LAYER_ATTRS:
            if hasattr(block, attr):
                setattr(self, attr, getattr(block, attr))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the block.

        Args:
            x (torch.Tensor): N, C, H, W input.

        Returns:
            torch.Tensor: ``cv2`` of the concatenated branch outputs.
        """
        y = [self.cv0(x), self.cv1(x)]
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))

    def merged(self) -> Optional[nn.Module]:
        """The block in its original Ultralytics class, or None when the two halves have different widths.

        Returns:
            nn.Module | None: An instance of the original class computing the same function.
        """
        half = self.cv0.conv.out_channels
        if self.cv1.conv.out_channels != half:
            return None
        block = self.source_class.__new__(self.source_class)
        nn.Module.__init__(block)
        block.c = half
        block.cv1 = _conv_concat(self.cv0, self.cv1)
        block.cv2 = self.cv2
        block.m = self.m
        for attr in LAYER_ATTRS:
            if hasattr(self, attr):
                setattr(block, attr, getattr(self, attr))
        block.np = sum(p.numel() for p in block.parameters())
        block.training = self.training
        return block


def _is_c2f_like(module: nn.Module) -> bool:
    """Whether ``module`` is a C2f-family block using C2f's own chunk-based forward."""
    from ultralytics.nn.modules.block import C2f
    return isinstance(module, C2f) and type(module).forward is C2f.forward


def _replace_children(model: nn.Module, convert) -> int:
    """Replace every descendant ``m`` for which ``convert(m)`` returns a module; returns how many were replaced."""
    count = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            new = convert(child)
            if new is not None:
                setattr(parent, name, new)
                count += 1
    return count


def split_c2f_blocks(model: nn.Module) -> int:
    """Replace every C2f-family block of ``model`` by its :class:`SplitC2f` form, in place.

    Args:
        model (nn.Module): An Ultralytics model (``DetectionModel`` and its task subclasses).

    Returns:
        int: The number of blocks converted.
    """
    return _replace_children(model, lambda m: SplitC2f(m) if _is_c2f_like(m) else None)


def merge_c2f_blocks(model: nn.Module) -> int:
    """Turn every :class:`SplitC2f` whose halves have equal widths back into its Ultralytics class, in place.

    Args:
        model (nn.Module): A model converted by :func:`split_c2f_blocks` (and possibly pruned).

    Returns:
        int: The number of blocks left in the split form (0 means the model is pure Ultralytics again).
    """
    _replace_children(model, lambda m: m.merged() if isinstance(m, SplitC2f) else None)
    return sum(isinstance(m, SplitC2f) for m in model.modules())
