"""Building an mmdet/mmseg model from a config: the one builder the distillers, the pruning adapter and the
analysis tools share."""
from typing import Optional, Union

from mmengine.registry import DefaultScope
from torch import nn

from ..compat import revert_sync_bn_if_single_process
from ..utils import load_config


def build_model(cfg: Union[str, dict], scope: Optional[str] = None, key: str = 'model') -> nn.Module:
    """Build the model of a config file, or a model dict, in its OpenMMLab scope.

    Args:
        cfg (str | dict): A config reference (``mmdet::...``, ``mmseg::...`` or a local path) whose ``model`` is
            built, or a model dict.
        scope (str, optional): ``'mmdet'`` or ``'mmseg'``; by default the config's ``default_scope`` (or the scope
            prefix of the model type).
        key (str): The config key named in the error message.

    Returns:
        nn.Module: The model, with BatchNorm instead of SyncBN when no process group runs.

    Raises:
        TypeError: ``cfg`` is neither a config reference nor a model dict with ``type``.
    """
    if isinstance(cfg, str):
        config = load_config(cfg)
        model_cfg = config.model
        scope = scope or config.get('default_scope')
    else:
        model_cfg = cfg
    if not isinstance(model_cfg, dict) or 'type' not in model_cfg:
        raise TypeError(f'{key}: expected a config path or a model dict with "type", got {cfg!r}')
    scope = scope or str(model_cfg['type']).partition('.')[0]
    with DefaultScope.overwrite_default_scope(scope):
        model = _scope_models(scope).build(model_cfg)
    return revert_sync_bn_if_single_process(model)


def _scope_models(scope: str):
    """The ``MODELS`` registry of an OpenMMLab package."""
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    elif scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        raise ValueError(f'unknown model scope {scope!r}: expected mmdet or mmseg')
    return MODELS
