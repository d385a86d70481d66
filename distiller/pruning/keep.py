"""Resolving the modules a pruning run must leave untouched."""
import difflib
from typing import List, Sequence

from torch import nn


def resolve_keep(model: nn.Module, names: Sequence[str]) -> List[nn.Module]:
    """The submodules of ``model`` named in ``names``.

    Args:
        model (nn.Module): The model about to be pruned.
        names (Sequence[str]): Dotted module names (``decode_head.conv_seg``, ``model.22``).

    Returns:
        list[nn.Module]: The modules, in the order given.

    Raises:
        ValueError: A name is not a submodule of ``model``; the message lists the closest existing names.
    """
    modules = dict(model.named_modules())
    missing = [name for name in names if name not in modules]
    if missing:
        name = missing[0]
        close = difflib.get_close_matches(name, [key for key in modules if key], n=5, cutoff=0.5)
        raise ValueError(f'keep: no module named {name!r} in {type(model).__name__}; closest existing names: '
                         f'{", ".join(close) or "(none)"}')
    return [modules[name] for name in names]
