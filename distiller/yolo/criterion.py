"""The student's training loss with distillation added, installed as the student's ``criterion``."""
from contextlib import ExitStack
from typing import Any, Dict, Optional, Tuple

import torch
from torch import Tensor, nn

from ..core import DistillLossSet


class DistillCriterion:
    """Wraps the student's own Ultralytics loss: runs the teacher on the batch, adds the distillation losses computed
    from what the student's forward just recorded, and reports each method as a loss item.

    Ultralytics losses are summed over the batch (the mean times the batch size), so the distillation total is scaled
    the same way before it joins them; the reported items are per-image values.

    Args:
        base: The student's own criterion (``v8DetectionLoss``, ``v8SegmentationLoss``, ``v8PoseLoss`` ...).
        teacher (nn.Module): The teacher.
        loss_set (DistillLossSet): Hooks, connectors and losses (the student's recording is kept active by the
            trainer during training).
        report (dict): Loss name -> the item name it is summed into.
        teacher_trainable (bool): Online distillation: the teacher's own loss is added and it gets gradients.
        teacher_stop_early (bool): Stop a frozen teacher's forward after its last hooked layer.
    """

    def __init__(self, base: Any, teacher: nn.Module, loss_set: DistillLossSet, report: Dict[str, str],
                 teacher_trainable: bool = False, teacher_stop_early: bool = True) -> None:
        self.base = base
        self.teacher = teacher
        self.loss_set = loss_set
        self.report = report
        self.teacher_trainable = teacher_trainable
        self.teacher_stop_early = teacher_stop_early and not teacher_trainable
        self._teacher_ready: Optional[ExitStack] = None

    def __getattr__(self, name: str) -> Any:
        """Anything else (``update``, ``hyp`` ...) is the base criterion's."""
        if name == 'base':
            raise AttributeError(name)
        return getattr(self.base, name)

    def run_teacher(self, images: Tensor) -> None:
        """Run a frozen teacher on the batch before the student's forward (the trainer calls this from
        ``preprocess_batch``); its recorded features wait for the next call of the criterion.

        Running it first keeps the student's forward and backward back to back and frees the teacher's intermediate
        activations before the student's are allocated. Without this call the criterion runs the teacher itself.

        Args:
            images (Tensor): The preprocessed batch images.
        """
        if self.teacher_trainable:
            return
        self.release_teacher()
        recorder = self.loss_set.teacher_recorder
        ready = ExitStack()
        ready.enter_context(recorder.recording(stop_early=self.teacher_stop_early))
        with torch.no_grad():
            recorder.run(self.teacher, images.to(_dtype(self.teacher)))
        self._teacher_ready = ready

    def release_teacher(self) -> None:
        """Drop teacher features recorded by :meth:`run_teacher` and not consumed (e.g. a skipped batch)."""
        if self._teacher_ready is not None:
            self._teacher_ready.close()
            self._teacher_ready = None

    def __call__(self, preds: Any, batch: dict) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Student loss, then the teacher forward (unless :meth:`run_teacher` ran it) and distillation losses.

        Args:
            preds: The student's head output for ``batch['img']``.
            batch (dict): The preprocessed Ultralytics batch.

        Returns:
            tuple: The loss vector (the student's components, then the distillation total, then the online teacher's
            loss when trained) and the detached items, one per reported name.
        """
        loss, items = self.base(preds, batch)
        items = dict(items)
        images = batch['img']
        parts = [loss.reshape(-1)]
        teacher_loss = None
        try:
            if not self.teacher_trainable and self._teacher_ready is None:
                self.run_teacher(images)
            ready, self._teacher_ready = self._teacher_ready, None
            with ready or self.loss_set.teacher_recorder.recording():
                if self.teacher_trainable:
                    teacher_loss, _ = self.teacher.loss(batch)
                # The task loss per image, on the scale of the distillation total (which is then times the batch).
                task_loss = loss.detach().sum() / images.shape[0]
                losses = self.loss_set(task_loss=task_loss, **yolo_loss_inputs(batch, self.loss_set.requires))
        finally:
            self.loss_set.student_recorder.clear()
        total = sum(losses.values())
        parts.append((total * images.shape[0]).reshape(1))
        for name, value in losses.items():
            key = self.report.get(name, name)
            items[key] = items.get(key, 0) + value.detach()
        if teacher_loss is not None:
            parts.append(teacher_loss.sum().reshape(1))
            items['teacher_loss'] = teacher_loss.detach().sum() / images.shape[0]
        return torch.cat(parts), items


def _dtype(model: nn.Module) -> torch.dtype:
    """The dtype of a model's weights (a half-precision teacher gets half-precision images)."""
    return next(model.parameters()).dtype


def yolo_loss_inputs(batch: dict, requires: set) -> Dict[str, Any]:
    """The extra loss inputs (``gt_bboxes`` in pixels x1y1x2y2 per image, ``img_shapes``) from an Ultralytics batch.

    Args:
        batch (dict): Preprocessed batch with ``img``, ``batch_idx`` and normalised xywh ``bboxes``.
        requires (set): The inputs the losses need; only those are computed.

    Returns:
        dict: Name -> value.
    """
    extra = {}
    images = batch['img']
    n, _, height, width = images.shape
    if 'gt_bboxes' in requires:
        from ultralytics.utils.ops import xywh2xyxy
        boxes = batch['bboxes'].to(images.device, torch.float32)
        xyxy = xywh2xyxy(boxes) * boxes.new_tensor([width, height, width, height])
        index = batch['batch_idx'].to(images.device).view(-1)
        extra['gt_bboxes'] = [xyxy[index == i] for i in range(n)]
    if 'img_shapes' in requires:
        extra['img_shapes'] = [(height, width)] * n
    return extra
