"""Pruning mmdet detectors and mmseg segmentors, and writing the pruned checkpoint."""
from typing import List, Optional, Sequence

import torch
from torch import nn

from ..compat import load_checkpoint_weights_only
from ..models.model_builder import build_model
from ..pruning.report import PruneReport, prune_and_measure
from ..pruning.resize import resize_to_state_dict
from ..pruning.settings import PruneSettings
from ..utils import STUDENT_PREFIX, student_state_dict


def build_mm_model(config: str, checkpoint: Optional[str] = None) -> nn.Module:
    """Build the ``model`` of an mmdet/mmseg config, optionally with weights (a pruned checkpoint resizes it).

    Args:
        config (str): Model config (``mmseg::...``, ``mmdet::...`` or a local path) with a ``default_scope``.
        checkpoint (str, optional): Plain, student-only or full distiller checkpoint (its student is taken).

    Returns:
        nn.Module: The model, BatchNorm instead of SyncBN, in eval mode.
    """
    from ..registry import register_all_modules
    register_all_modules(init_default_scope=False)
    model = build_model(config)
    if checkpoint:
        state = load_checkpoint_weights_only(checkpoint, map_location='cpu')
        state = state.get('state_dict', state)
        if any(key.startswith(STUDENT_PREFIX) for key in state):
            state = student_state_dict(state)
        resize_to_state_dict(model, state)
        model.load_state_dict(state, strict=True)
    return model.eval()


def default_mm_keep(model: nn.Module) -> List[str]:
    """The modules an mm model keeps by default: a segmentor's classifiers (``conv_seg``, one per class), a
    detector's heads (their output widths are fixed by classes, anchors and box coordinates).

    Args:
        model (nn.Module): The detector or segmentor.

    Returns:
        list[str]: Module names.
    """
    names = [name for name, module in model.named_modules() if name.endswith('conv_seg')]
    names += [name for name in ('rpn_head', 'bbox_head', 'roi_head', 'mask_head') if hasattr(model, name)]
    return names


def _heads(model: nn.Module) -> Sequence[nn.Module]:
    """A segmentor's decode and auxiliary heads (an auxiliary head may be a list)."""
    heads = []
    for name in ('decode_head', 'auxiliary_head'):
        head = getattr(model, name, None)
        if head is not None:
            heads.extend(head if isinstance(head, nn.ModuleList) else [head])
    return heads


def trace_forward(model: nn.Module, inputs: torch.Tensor):
    """What the dependency graph traces: every head, the training-only auxiliary heads of a segmentor included
    (otherwise their input widths would not follow the backbone's).

    Args:
        model (nn.Module): Detector or segmentor.
        inputs (torch.Tensor): The example batch.

    Returns:
        list: The raw outputs.
    """
    if hasattr(model, 'decode_head'):
        feats = model.extract_feat(inputs)
        return [head.forward(feats) for head in _heads(model)]
    return model(inputs, _dummy_det_samples(inputs), mode='tensor')


def _dummy_det_samples(inputs: torch.Tensor) -> list:
    """Blank detection samples with the metainfo two-stage detectors read in tensor mode."""
    from mmdet.structures import DetDataSample
    size = tuple(inputs.shape[-2:])
    meta = dict(img_shape=size, ori_shape=size, pad_shape=size, batch_input_shape=size, scale_factor=(1.0, 1.0))
    return [DetDataSample(metainfo=meta) for _ in range(inputs.shape[0])]


def prune_mm_model(model: nn.Module, settings: PruneSettings, input_shape=(1, 3, 128, 128)) -> PruneReport:
    """Prune a detector or segmentor in place.

    Args:
        model (nn.Module): Built by :func:`build_mm_model`.
        settings (PruneSettings): What to prune; ``keep`` None keeps :func:`default_mm_keep`.
        input_shape (tuple): Shape of the example batch (tracing and FLOPs).

    Returns:
        PruneReport: Figures before and after.
    """
    inputs = torch.zeros(input_shape)
    return prune_and_measure(model, inputs, settings, default_mm_keep(model), forward_fn=trace_forward)


def save_mm_checkpoint(model: nn.Module, path: str, report: PruneReport) -> str:
    """Write ``{'meta': {'pruning': ...}, 'state_dict': ...}``: weights-only, loadable by the config plus
    :func:`~distiller.pruning.load_pruned_checkpoint` (or a distiller's ``student_pruned``).

    Args:
        model (nn.Module): The pruned model.
        path (str): Output file.
        report (PruneReport): What pruning did (stored in ``meta['pruning']``).

    Returns:
        str: The path.
    """
    state = {key: value.detach().cpu() for key, value in model.state_dict().items()}
    torch.save(dict(meta=dict(pruning=report.summary()), state_dict=state), path)
    return path
