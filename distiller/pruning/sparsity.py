"""The sparsity term of network slimming: an L1 penalty on BatchNorm scales, added to their gradients."""
from typing import Iterable, List, Optional

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def bn_weights(model: nn.Module, among: Optional[Iterable[torch.Tensor]] = None) -> List[nn.Parameter]:
    """The trainable scales (gamma) of ``model``'s BatchNorm layers.

    Args:
        model (nn.Module): The model (a distiller's frozen teacher has no trainable scales).
        among (Iterable[Tensor], optional): Keep only these parameters (an optimizer's), e.g. to leave out modules
            the optimizer does not train.

    Returns:
        list[nn.Parameter]: The BatchNorm weights.
    """
    allowed = None if among is None else {id(p) for p in among}
    weights = []
    for module in model.modules():
        weight = getattr(module, 'weight', None) if isinstance(module, _BatchNorm) else None
        if weight is not None and weight.requires_grad and (allowed is None or id(weight) in allowed):
            weights.append(weight)
    return weights


@torch.no_grad()
def add_bn_sparsity_grad(weights: Iterable[nn.Parameter], sparsity: float) -> int:
    """Add the subgradient of ``sparsity * sum(|gamma|)`` to each scale's gradient: ``sparsity * sign(gamma)``.

    Args:
        weights (Iterable[nn.Parameter]): BatchNorm scales (see :func:`bn_weights`).
        sparsity (float): The L1 weight, already multiplied by any loss scale the gradients carry (AMP).

    Returns:
        int: How many gradients were changed (scales without a gradient this step are skipped).
    """
    changed = 0
    for weight in weights:
        if weight.grad is not None:
            weight.grad.add_(torch.sign(weight), alpha=sparsity)
            changed += 1
    return changed
