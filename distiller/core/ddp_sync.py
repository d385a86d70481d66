"""Keeping modules that live outside a DDP wrapper (connectors, loss-owned layers, a teacher built per process) the
same on every process: one broadcast after they are built, and gradients averaged like DDP's before each step."""
from typing import Iterable

import torch
import torch.distributed as dist
from torch import nn


def is_distributed() -> bool:
    """Whether a process group with more than one process is running.

    Returns:
        bool: True under multi-process training.
    """
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def broadcast_module(module: nn.Module, src: int = 0) -> None:
    """Copy ``src``'s parameters and buffers into every process's ``module`` (in place).

    Args:
        module (nn.Module): The module, built the same way (same shapes) on every process.
        src (int): The rank whose values win.
    """
    if not is_distributed():
        return
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            dist.broadcast(tensor.data, src=src)


def average_gradients(parameters: Iterable[nn.Parameter]) -> None:
    """Replace each gradient by its mean over the processes, as DDP does for the parameters it wraps.

    Args:
        parameters (Iterable[nn.Parameter]): Parameters outside the DDP wrapper; those without a gradient on this
            process contribute zeros, so every process takes part in every reduction.
    """
    if not is_distributed():
        return
    world = dist.get_world_size()
    for param in parameters:
        if not param.requires_grad:
            continue
        if param.grad is None:
            param.grad = torch.zeros_like(param)
        dist.all_reduce(param.grad, op=dist.ReduceOp.SUM)
        param.grad.div_(world)
