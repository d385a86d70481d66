"""Pruning Ultralytics YOLO models and saving them as ordinary Ultralytics checkpoints."""
import copy
from datetime import datetime
from pathlib import Path
from typing import List, Union

import torch
from torch import nn

from ..pruning.report import PruneReport, prune_and_measure
from ..pruning.settings import PruneSettings
from .safe_checkpoint import ultralytics_checkpoint_loading
from .split_c2f import merge_c2f_blocks, split_c2f_blocks


def load_yolo_model(source: Union[str, Path], trust_checkpoint: bool = False) -> nn.Module:
    """The Ultralytics model of a checkpoint (``.pt``, loaded weights-only) or a model yaml, in float32.

    Args:
        source (str | Path): ``yolov8n.yaml``, ``runs/.../best.pt``, a pruned checkpoint.
        trust_checkpoint (bool): Load with Ultralytics' own loader, which runs any code the file carries.

    Returns:
        nn.Module: The ``DetectionModel`` (or segment/pose subclass).

    Raises:
        UnsafeCheckpointError: The checkpoint holds objects weights-only loading refuses; nothing from it ran.
    """
    from ultralytics import YOLO
    with ultralytics_checkpoint_loading(trust_checkpoint):
        return YOLO(str(source)).model.float()


def default_yolo_keep(model: nn.Module) -> List[str]:
    """The layers a YOLO model keeps by default: its Detect-family heads (class, box, mask and keypoint outputs
    have fixed widths) and attention blocks (``C2PSA``: their head count fixes the widths).

    Args:
        model (nn.Module): An Ultralytics model.

    Returns:
        list[str]: Module names such as ``model.22``.
    """
    from ultralytics.nn.modules import Detect
    from ultralytics.nn.modules.block import Attention
    keep = []
    for index, layer in enumerate(model.model):
        if isinstance(layer, Detect) or any(isinstance(m, Attention) for m in layer.modules()):
            keep.append(f'model.{index}')
    return keep


def prune_yolo_model(model: nn.Module, settings: PruneSettings, imgsz: int = 640) -> PruneReport:
    """Prune an Ultralytics model in place.

    C2f-family blocks are converted to :class:`~distiller.yolo.split_c2f.SplitC2f` for the dependency graph,
    then merged back to their Ultralytics class wherever both halves kept the same width (always with per-layer
    pruning; global pruning may leave some in the split form, which then needs ``distiller`` importable to load).

    Args:
        model (nn.Module): The Ultralytics model.
        settings (PruneSettings): What to prune; ``keep`` None keeps :func:`default_yolo_keep`.
        imgsz (int): Side of the example image the graph is traced and the FLOPs counted on.

    Returns:
        PruneReport: Figures before and after.
    """
    inputs = torch.zeros(1, 3, imgsz, imgsz)
    report = prune_and_measure(model, inputs, settings, default_yolo_keep(model), prepare=split_c2f_blocks,
                               finish=merge_c2f_blocks)
    for layer in model.model:
        layer.np = sum(p.numel() for p in layer.parameters())
    model.pruned = report.summary()
    return report


def save_yolo_checkpoint(model: nn.Module, path: Union[str, Path]) -> Path:
    """Save a model as an Ultralytics checkpoint, like the ``best.pt`` its trainer writes (fp16, no optimizer).

    ``YOLO(path)`` loads it with plain Ultralytics for ``val``/``predict``/``export``. Ultralytics' own ``train``
    rebuilds every model from its yaml, which would undo the pruning: train a pruned model with a trainer of
    :func:`~distiller.yolo.compression_trainer.build_yolo_trainer` (``YOLOTraining`` configs) or as a
    ``YOLODistiller`` student.

    Args:
        model (nn.Module): The (pruned) Ultralytics model.
        path (str | Path): Output ``.pt`` file.

    Returns:
        Path: The file written.
    """
    from ultralytics import __version__
    saved = copy.deepcopy(model).float()
    saved.criterion = None
    if hasattr(saved, 'args') and not isinstance(saved.args, dict):
        saved.args = dict(vars(saved.args))
    for param in saved.parameters():
        param.requires_grad_(False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'date': datetime.now().astimezone().isoformat(), 'version': __version__, 'epoch': -1,
                'best_fitness': None, 'model': saved.half(), 'ema': None, 'updates': None, 'optimizer': None,
                'train_args': dict(getattr(saved, 'args', None) or {}), 'train_metrics': None,
                'pruning': getattr(saved, 'pruned', None)}, path)
    return path
