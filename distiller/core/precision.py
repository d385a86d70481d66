"""Computing in float32 whatever precision features arrive in (AMP autocast, a half-precision teacher)."""
from typing import Any

import torch
from torch import Tensor


def to_float32(x: Any) -> Any:
    """Cast floating tensors (also inside lists/tuples) to float32; leave everything else as it is.

    Args:
        x: A tensor, a list/tuple of them, or anything else.

    Returns:
        The same structure with float32 floating tensors.
    """
    if isinstance(x, Tensor):
        return x.float() if x.is_floating_point() else x
    if isinstance(x, (list, tuple)):
        return type(x)(to_float32(v) for v in x)
    return x


def detached(x: Any) -> Any:
    """Detach tensors (also inside lists/tuples); leave everything else as it is.

    Args:
        x: A tensor, a list/tuple of them, or anything else.

    Returns:
        The same structure with detached tensors.
    """
    if isinstance(x, Tensor):
        return x.detach()
    if isinstance(x, (list, tuple)):
        return type(x)(detached(v) for v in x)
    return x


def autocast_off(x: Any) -> torch.autocast:
    """A context that switches autocast off on the device of the first tensor found in ``x`` (CPU if none).

    Args:
        x: A tensor or a list/tuple of them.

    Returns:
        torch.autocast: The disabled-autocast context.
    """
    return torch.autocast(device_type=_device_type(x), enabled=False)


def _device_type(x: Any) -> str:
    """Device type of the first tensor found in ``x`` (``'cpu'`` when there is none)."""
    if isinstance(x, Tensor):
        return x.device.type
    if isinstance(x, (list, tuple)) and x:
        return _device_type(x[0])
    return 'cpu'
