"""How a pruned mmdet/mmseg model travels: its config plus a checkpoint whose tensors have the pruned shapes.

A weights-only checkpoint already records every pruned width in the shapes of its tensors, so no pickled module or
extra file is needed (the project's safe loader would refuse one): the model is built from its config, each layer
is resized to the shapes the checkpoint holds, and the weights are loaded strictly.
"""
from typing import Dict, Mapping

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..compat import load_checkpoint_weights_only
from ..utils import match_checkpoint_to_model


def _sync_layer_attributes(module: nn.Module) -> None:
    """Update the width attributes torch layers keep beside their tensors."""
    if isinstance(module, nn.modules.conv._ConvNd):
        module.out_channels = module.weight.shape[0]
        module.in_channels = module.weight.shape[1] * module.groups
    elif isinstance(module, nn.Linear):
        module.out_features, module.in_features = module.weight.shape
    elif isinstance(module, _BatchNorm):
        module.num_features = module.running_mean.shape[0] if module.running_mean is not None else \
            module.weight.shape[0]
    elif isinstance(module, nn.GroupNorm) and module.weight is not None:
        module.num_channels = module.weight.shape[0]


def resize_to_state_dict(model: nn.Module, state_dict: Mapping[str, torch.Tensor]) -> int:
    """Give every parameter and buffer of ``model`` the shape it has in ``state_dict`` (values are not loaded).

    Args:
        model (nn.Module): The model built from its (unpruned) config.
        state_dict (Mapping[str, Tensor]): A pruned model's state dict, same keys.

    Returns:
        int: The number of tensors resized.
    """
    resized = 0
    for module_name, module in model.named_modules():
        changed = False
        prefix = f'{module_name}.' if module_name else ''
        for store in (module._parameters, module._buffers):
            for name, tensor in list(store.items()):
                saved = state_dict.get(prefix + name)
                if tensor is None or saved is None or saved.shape == tensor.shape:
                    continue
                new = torch.empty(saved.shape, dtype=tensor.dtype, device=tensor.device)
                store[name] = nn.Parameter(new, requires_grad=tensor.requires_grad) \
                    if isinstance(tensor, nn.Parameter) else new
                changed = True
                resized += 1
        if changed:
            _sync_layer_attributes(module)
    return resized


def load_pruned_checkpoint(model: nn.Module, path: str) -> Dict:
    """Resize ``model`` to a pruned checkpoint and load its weights strictly; the model's ``init_weights`` is then
    marked done, so a Runner does not overwrite the loaded weights.

    Args:
        model (nn.Module): The model built from its config.
        path (str): A checkpoint written by ``tools/prune.py`` (or any student checkpoint of a pruned model).

    Returns:
        dict: The checkpoint's ``meta`` (``meta['pruning']`` holds the pruning settings and figures).
    """
    checkpoint = load_checkpoint_weights_only(path, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    resize_to_state_dict(model, state)
    model.load_state_dict(state, strict=True)
    model._is_init = True
    return dict(checkpoint.get('meta', {}))


def resize_for_checkpoint(model: nn.Module, path: str) -> int:
    """Resize a Runner's model (a plain model or a distiller, possibly DDP-wrapped) to a pruned checkpoint of the
    form ``tools/test.py`` accepts, before the checkpoint is loaded as usual.

    Args:
        model (nn.Module): The model the config built.
        path (str): Plain, student-only or full distiller checkpoint of a pruned model.

    Returns:
        int: The number of tensors resized.
    """
    from mmengine.model import is_model_wrapper

    model = model.module if is_model_wrapper(model) else model
    checkpoint = load_checkpoint_weights_only(path, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    target, state, _ = match_checkpoint_to_model(model, state)
    return resize_to_state_dict(target, state)
