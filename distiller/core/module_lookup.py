"""Finding a submodule by its dotted name, with the closest existing names when it is not there."""
import difflib
from typing import List

from torch import nn

from .errors import DistillConfigError


def closest_module_names(model: nn.Module, name: str, n: int = 5) -> List[str]:
    """Return the names of ``model``'s submodules closest to ``name``.

    Args:
        model (nn.Module): The model to search.
        name (str): The dotted name that was asked for.
        n (int): At most this many names are returned.

    Returns:
        list[str]: Close matches, best first; when none is close, the children of the deepest existing prefix.
    """
    names = [key for key, _ in model.named_modules() if key]
    matches = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
    if matches:
        return matches
    prefix = name
    while prefix and prefix not in names:
        prefix = prefix.rpartition('.')[0]
    parent = model.get_submodule(prefix) if prefix else model
    return [f'{prefix}.{child}' if prefix else child for child, _ in parent.named_children()][:n]


def get_module(model: nn.Module, name: str, key: str) -> nn.Module:
    """Return the submodule of ``model`` called ``name``.

    Args:
        model (nn.Module): The student or teacher model.
        name (str): Dotted module name, e.g. ``neck.fpn_convs.0.conv`` or ``model.15``.
        key (str): The config key that named it, used in the error message (e.g. ``distill_cfg[0].student_module``).

    Returns:
        nn.Module: The submodule.

    Raises:
        DistillConfigError: No submodule has that name; the message lists the closest existing names.
    """
    try:
        return model.get_submodule(name)
    except AttributeError:
        close = ', '.join(closest_module_names(model, name)) or '(the model has no submodules)'
        raise DistillConfigError(
            f'{key}: no module named {name!r} in {type(model).__name__}; closest existing names: {close}') from None
