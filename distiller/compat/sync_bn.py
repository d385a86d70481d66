"""SyncBN in single-process runs."""
import torch.distributed as dist
from mmengine.model import revert_sync_batchnorm
from torch import nn


def revert_sync_bn_if_single_process(model: nn.Module) -> nn.Module:
    """Replace SyncBN layers (torch's and mmcv's) by BatchNorm unless a process group of several ranks is running.

    mmseg/mmdet configs use ``norm_cfg=dict(type='SyncBN')``; a model built from them outside the Runner (a teacher
    built for a dry forward, a model loaded by a tool) must still run in one CPU process. Weights and running
    statistics are kept.

    Args:
        model (nn.Module): The model to convert in place.

    Returns:
        nn.Module: The converted model (the same object unless ``model`` itself is a SyncBN layer).
    """
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        return model
    return revert_sync_batchnorm(model)
