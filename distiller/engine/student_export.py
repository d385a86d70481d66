"""Turning a distiller checkpoint into a plain mmdet/mmseg checkpoint of the student."""
from typing import Any, Dict, Optional

import torch

from ..compat import load_checkpoint_weights_only
from ..utils import student_state_dict


def student_checkpoint(checkpoint: Dict[str, Any], meta: Optional[dict] = None) -> Dict[str, Any]:
    """A plain checkpoint (``state_dict`` + ``meta``) of the student in a distiller checkpoint.

    Args:
        checkpoint (dict): A checkpoint saved by the Runner for a distiller.
        meta (dict, optional): Extra ``meta`` entries (e.g. ``dataset_meta``), merged over the checkpoint's.

    Returns:
        dict: ``{'meta': ..., 'state_dict': ...}`` that ``mmdet.apis.init_detector`` / ``mmseg.apis.init_model``
        load unchanged. Optimizer, schedulers and message hub are dropped.
    """
    merged = dict(checkpoint.get('meta', {}))
    merged.update(meta or {})
    return dict(meta=merged, state_dict=student_state_dict(checkpoint['state_dict']))


def export_student(src: str, dst: str) -> Dict[str, Any]:
    """Write the student of a distiller checkpoint as a plain checkpoint.

    Args:
        src (str): Distiller checkpoint (loaded weights-only).
        dst (str): Output path.

    Returns:
        dict: What was saved.
    """
    checkpoint = student_checkpoint(load_checkpoint_weights_only(src, map_location='cpu'))
    torch.save(checkpoint, dst)
    return checkpoint
