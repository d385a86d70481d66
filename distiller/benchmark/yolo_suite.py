"""The steps of a YOLO distiller config, each as Ultralytics' trainer runs it, for side-by-side timing."""
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, Dict, Optional

import torch
from mmengine.config import Config

from ..core import resolve_teacher_dtype
from ..yolo import DistillCriterion, build_yolo_loss_set, find_head
from ..yolo.safe_checkpoint import ultralytics_checkpoint_loading
from .amp import amp_autocast
from .memory import weight_bytes
from .synthetic import yolo_detect_batch


class YOLOStepSuite:
    """Builds a YOLO config's student, teacher and losses and exposes one training step per mode.

    A step is what Ultralytics' trainer does per batch: the model's ``loss(batch)`` (forward + criterion) under
    autocast, a (scaled) backward, an optimizer step. Modes:

    - ``student``: the student's own criterion: plain training.
    - ``teacher_to_hook`` / ``teacher_full``: the teacher's forward, no grad, stopped after its last hooked layer /
      whole (head and box decoding included, as an eval-mode Ultralytics model runs).
    - ``naive``: our criterion with the teacher run whole after the student's forward, as Ultralytics' built-in
      distillation runs it.
    - ``ours``: :class:`DistillCriterion` as the distillation trainer runs it: the teacher (stopped after its last
      hooked layer) before the student's forward, from ``preprocess_batch``.

    Detection configs only: the batch is a random detection batch.

    Args:
        cfg (Config): A YOLO distiller config (``model.type='YOLODistiller'``, ``train_args``).
        img_size (int): Square image side.
        batch_size (int): Images per step.
        device (str): ``cpu`` or ``cuda``.
        amp (str, optional): ``fp16`` (with a GradScaler) or ``bf16`` autocast (CUDA only).
        teacher (str, optional): A teacher checkpoint or yaml replacing the config's (e.g. ``yolov8s.yaml`` where
            the trained checkpoint is absent; the cost of a step does not depend on the weights).
        teacher_dtype (str, optional): The distiller's ``teacher_dtype`` option.
    """

    def __init__(self, cfg: Config, img_size: int, batch_size: int, device: str, amp: Optional[str] = None,
                 teacher: Optional[str] = None, teacher_dtype: Optional[str] = None) -> None:
        from ultralytics.cfg import get_cfg
        from ultralytics.nn.tasks import guess_model_task
        model_cfg = cfg.model
        args = get_cfg(overrides={**dict(cfg.get('train_args', {})), 'imgsz': img_size, 'batch': batch_size})
        self.teacher = _load_model(teacher or model_cfg['teacher'], nc=None)
        nc = find_head(self.teacher, 'teacher').nc
        torch.manual_seed(0)
        self.student = _load_model(model_cfg['student'], nc=nc)
        task = guess_model_task(self.student)
        if task != 'detect':
            raise NotImplementedError(f'step_time: YOLO task {task!r}: only detection configs are '
                                      'benchmarked (the synthetic batch has boxes only)')
        for model in (self.student, self.teacher):
            model.args = args
        self.loss_set, report = build_yolo_loss_set(list(model_cfg['distill_cfg']), self.student, self.teacher,
                                                    img_size)
        self.teacher.eval().requires_grad_(False)
        dtype = resolve_teacher_dtype(teacher_dtype, False)
        if dtype is not None:
            self.teacher.to(dtype)
        self.student.to(device).train()
        self.teacher.to(device)
        self.loss_set.to(device)
        self.device = device
        self.amp = amp
        self.teacher_bytes = weight_bytes(self.teacher)
        self.batch = {k: v.to(device) for k, v in yolo_detect_batch(batch_size, img_size, nc).items()}
        base = self.student.init_criterion()
        stop_early = model_cfg.get('teacher_stop_early', True)
        self.criteria = dict(student=base,
                             naive=DistillCriterion(base, self.teacher, self.loss_set, report, False, False),
                             ours=DistillCriterion(base, self.teacher, self.loss_set, report, False, stop_early))
        self.optimizer = torch.optim.SGD(list(self.student.parameters()) + list(self.loss_set.parameters()),
                                         lr=1e-4, momentum=0.9)
        self.scaler = torch.amp.GradScaler('cuda', enabled=amp == 'fp16')

    def _autocast(self):
        """Autocast as the trainer's ``amp`` sets it."""
        return amp_autocast(self.amp)

    def _train_step(self, mode: str) -> None:
        """One trainer step with the criterion of ``mode``."""
        criterion = self.criteria[mode]
        self.student.criterion = criterion
        recording = nullcontext() if mode == 'student' else self.loss_set.student_recorder.recording()
        with self._autocast(), recording:
            if mode == 'ours':
                criterion.run_teacher(self.batch['img'])
            loss, _ = self.student.loss(self.batch)
        self.scaler.scale(loss.sum()).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)

    def modes(self) -> Dict[str, Callable[[], None]]:
        """Mode name -> one step.

        Returns:
            dict: The steps, in the order they are timed.
        """
        recorder = self.loss_set.teacher_recorder
        images = self.batch['img'].to(next(self.teacher.parameters()).dtype)

        def teacher_to_hook() -> None:
            with torch.no_grad(), self._autocast(), recorder.recording(stop_early=True):
                recorder.run(self.teacher, images)

        def teacher_full() -> None:
            with torch.no_grad(), self._autocast():
                self.teacher(images)

        return dict(student=lambda: self._train_step('student'), teacher_to_hook=teacher_to_hook,
                    teacher_full=teacher_full, naive=lambda: self._train_step('naive'),
                    ours=lambda: self._train_step('ours'))

    def drop_teacher(self) -> None:
        """Free the teacher, for measuring the memory of plain student training in the same setting."""
        self.loss_set.teacher_recorder.remove()
        self.criteria = dict(student=self.criteria['student'])
        self.teacher = None
        if self.device.startswith('cuda'):
            torch.cuda.empty_cache()


def _load_model(source: str, nc: Optional[int]) -> torch.nn.Module:
    """A float32 Ultralytics model from a checkpoint, or from a yaml with ``nc`` classes."""
    from ultralytics import YOLO
    if Path(source).suffix == '.pt':
        from ultralytics.nn.tasks import load_checkpoint
        if not Path(source).is_file():
            raise FileNotFoundError(f'step_time: checkpoint not found: {source} (pass --yolo-teacher yolov8s.yaml '
                                    'to time a random-weight teacher of the same architecture)')
        with ultralytics_checkpoint_loading():
            model, _ = load_checkpoint(source)
        return model.float()
    wrapper = YOLO(source)
    model_class = wrapper.task_map[wrapper.task]['model']
    return model_class(source, nc=nc or 80, verbose=False)
