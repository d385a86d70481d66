"""Building the distillation losses of a YOLO student/teacher pair, sized by one dry run."""
from typing import Dict, List, Tuple

import torch
from torch import nn

from ..core import DistillLossSet
from .head import expand_distill_cfg


def build_yolo_loss_set(distill_cfg: List[dict], student: nn.Module, teacher: nn.Module, imgsz,
                        channels: int = 3) -> Tuple[DistillLossSet, Dict[str, str]]:
    """Hooks, connectors and losses of ``distill_cfg`` between two Ultralytics models.

    Entries without module names are expanded to every level the heads read; one dry run of both models (eval mode,
    no grad, on a blank square batch) sizes the connectors. The models' train/eval modes are left as they were.

    Args:
        distill_cfg (list[dict]): The config's ``distill_cfg``.
        student (nn.Module): The student model.
        teacher (nn.Module): The teacher model.
        imgsz (int | list[int]): The training image size (the dry run uses a multiple of 32, at least 64).
        channels (int): Image channels.

    Returns:
        tuple: The calibrated :class:`DistillLossSet` and the report map of :func:`expand_distill_cfg`.
    """
    distill_cfg, report = expand_distill_cfg(distill_cfg, student, teacher)
    loss_set = DistillLossSet(distill_cfg, student, teacher)
    sample = torch.zeros(2, channels, *([_dry_run_size(imgsz)] * 2))
    modes = student.training, teacher.training
    student.eval()
    teacher.eval()
    with torch.no_grad():
        loss_set.calibrate(lambda: student(sample), lambda: teacher(sample))
    student.train(modes[0])
    teacher.train(modes[1])
    return loss_set, report


def _dry_run_size(imgsz) -> int:
    """A square dry-run size from ``imgsz``: at least 64 and a multiple of the largest stride (32)."""
    size = max(imgsz) if isinstance(imgsz, (list, tuple)) else int(imgsz)
    return max(64, -(-size // 32) * 32)
