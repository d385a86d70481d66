"""Distillation inside Ultralytics' own training loop: a mixin over the task trainer (detect, segment, pose, obb).

The student stays the trainer's model, so mosaic and the other augmentations, warm-up, AMP, EMA, validation,
``best.pt``/``last.pt``, resume and the progress bars are Ultralytics' own, and every checkpoint holds only the plain
student. The teacher and the distillation losses live beside it:

- the student's ``criterion`` is wrapped by :class:`DistillCriterion` during training (the EMA, which validation and
  checkpoints use, keeps the plain one);
- the optimizer gets the connectors and loss-owned layers (and an online teacher) as extra parameters;
- ``weights/distill_state.pt`` holds their state next to ``last.pt`` for resuming.

Multi-GPU training (``train_args.device='0,1'``) uses Ultralytics' own launcher: it pickles this trainer class (with
its settings) for every worker, each worker builds the teacher and the losses, rank 0's connectors are broadcast to
the others, and their gradients are averaged before each optimizer step (they live outside the DDP-wrapped student).
"""
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import torch
from torch import nn

from ..core import DistillLossSet, TrainProgress, resolve_teacher_dtype
from ..core.ddp_sync import average_gradients, broadcast_module
from ..core.recorder import remove_record_hooks
from .compression_trainer import PrunedModelTrainerMixin
from .criterion import DistillCriterion
from .head_loss_set import build_yolo_loss_set
from .teacher import load_teacher

STATE_FILE = 'distill_state.pt'


@dataclass
class YOLODistillSettings:
    """What a distillation run adds to Ultralytics' train arguments.

    Args:
        teacher (str): Teacher checkpoint (``.pt``) or model yaml.
        distill_cfg (list[dict]): The distillation losses; entries without module names apply to every level the
            heads read.
        teacher_trainable (bool): Online distillation (the teacher also trains on its own loss).
        teacher_stop_early (bool): Stop a frozen teacher's forward after its last hooked layer.
        teacher_dtype (str, optional): ``'float16'``/``'bfloat16'``: a frozen teacher kept in half precision.
        trust_checkpoint (bool): Load the teacher ``.pt`` with Ultralytics' own loader, which runs any code the file
            carries, instead of weights-only.
    """

    teacher: str
    distill_cfg: List[dict] = field(default_factory=list)
    teacher_trainable: bool = False
    teacher_stop_early: bool = True
    teacher_dtype: Optional[str] = None
    trust_checkpoint: bool = False


class DistillTrainerMixin:
    """Adds a teacher and ``distill_cfg`` losses to an Ultralytics task trainer; see :func:`build_distill_trainer`."""

    distill_settings: Optional[YOLODistillSettings] = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.distill_settings is None:
            raise TypeError(f'{type(self).__name__} needs distill_settings; build it with build_distill_trainer()')
        if self.args.distill_model is not None:
            raise ValueError('distill_model is Ultralytics\' built-in distillation; with YOLODistiller the teacher is '
                             'set by its `teacher` argument, so leave distill_model unset')
        if self.args.compile:
            from ultralytics.utils import LOGGER
            LOGGER.warning('compile=True is turned off: the distillation hooks record features that a compiled '
                           'model would not expose')
            self.args.compile = False
        self.teacher: Optional[nn.Module] = None
        self.distill_losses: Optional[DistillLossSet] = None
        self._recording = ExitStack()
        self._distill_iter = 0

    def setup_model(self):
        """Build the student as Ultralytics does, then the teacher and the distillation losses (sized by a dry run).

        Returns:
            dict | None: The checkpoint being resumed, as the base method returns it.
        """
        ckpt = super().setup_model()
        settings = self.distill_settings
        student = self.model
        teacher = load_teacher(settings.teacher, self, settings.trust_checkpoint)
        loss_set, report = build_yolo_loss_set(settings.distill_cfg, student, teacher, self.args.imgsz,
                                               self.data.get('channels', 3))
        teacher.train(settings.teacher_trainable)
        teacher.requires_grad_(settings.teacher_trainable)
        dtype = resolve_teacher_dtype(settings.teacher_dtype, settings.teacher_trainable)
        if dtype is not None:
            teacher.to(dtype)
        if self.resume:
            self._load_distill_state(loss_set, teacher)
        self.teacher = teacher.to(self.device)
        self.distill_losses = loss_set.to(self.device)
        self._report = report
        return ckpt

    def build_optimizer(self, model: nn.Module, *args, **kwargs):
        """Ultralytics' optimizer over the student plus the connectors/loss layers (and an online teacher), in its
        usual decay/no-decay/bias groups; a frozen teacher is never in it.

        Args:
            model (nn.Module): The student (possibly wrapped).
            *args: Passed to the base method.
            **kwargs: Passed to the base method.

        Returns:
            torch.optim.Optimizer: The optimizer.
        """
        from ultralytics.utils.torch_utils import unwrap_model
        trained = nn.ModuleDict({'student_model': unwrap_model(model), 'distill_losses': self.distill_losses})
        if self.distill_settings.teacher_trainable:
            trained['teacher_model'] = self.teacher
        return super().build_optimizer(trained, *args, **kwargs)

    def _setup_train(self) -> None:
        """Set up as Ultralytics does, then install the distillation criterion and start recording the student."""
        super()._setup_train()
        from ultralytics.utils.torch_utils import unwrap_model
        strip_distillation(self.ema.ema)
        student = unwrap_model(self.model)
        base = getattr(student, 'criterion', None) or student.init_criterion()
        settings = self.distill_settings
        student.criterion = DistillCriterion(base, self.teacher, self.distill_losses, self._report,
                                             settings.teacher_trainable, settings.teacher_stop_early)
        self._recording.enter_context(self.distill_losses.student_recorder.recording())
        self._distill_iter = self.start_epoch * len(self.train_loader)
        # Multi-GPU: each worker built the connectors (and a yaml teacher) from its own seed; rank 0's win.
        broadcast_module(self.distill_losses)
        broadcast_module(self.teacher)

    def optimizer_step(self) -> None:
        """Average the gradients of the connectors and loss-owned layers (and an online teacher) over the
        processes, as DDP does for the student it wraps, then step as Ultralytics does."""
        trained = list(self.distill_losses.parameters())
        if self.distill_settings.teacher_trainable:
            trained += list(self.teacher.parameters())
        average_gradients(trained)
        super().optimizer_step()

    def preprocess_batch(self, batch: dict) -> dict:
        """Preprocess as the task trainer does (Ultralytics calls this under its autocast), run a frozen teacher on
        the batch before the student's forward, start a fresh student recording and update the weight schedules.

        Args:
            batch (dict): The collated batch.

        Returns:
            dict: The preprocessed batch.
        """
        from ultralytics.utils.torch_utils import unwrap_model
        batch = super().preprocess_batch(batch)
        self.distill_losses.student_recorder.clear()
        criterion = getattr(unwrap_model(self.model), 'criterion', None)
        if isinstance(criterion, DistillCriterion):
            criterion.run_teacher(batch['img'])
        iters_per_epoch = len(self.train_loader)
        self.distill_losses.set_progress(TrainProgress(
            iter=self._distill_iter, epoch=self.epoch, max_iters=iters_per_epoch * self.epochs,
            max_epochs=self.epochs, iters_per_epoch=iters_per_epoch))
        self._distill_iter += 1
        if self.distill_settings.teacher_trainable:
            self.teacher.train()
        return batch

    def save_model(self) -> bool:
        """Save ``last.pt``/``best.pt`` (plain student checkpoints) and ``weights/distill_state.pt``.

        Returns:
            bool: What the base method returns.
        """
        saved = super().save_model()
        state = {'distill_losses': self.distill_losses.state_dict(), 'epoch': self.epoch,
                 'teacher': self.teacher.state_dict() if self.distill_settings.teacher_trainable else None}
        torch.save(state, self.wdir / STATE_FILE)
        return saved

    def _load_checkpoint_state(self, ckpt: dict) -> None:
        """Load optimizer/EMA state as the base method does; the rebuilt EMA is a plain student again (this and
        :meth:`_setup_train` are the only places Ultralytics creates an EMA, so what it saves stays plain)."""
        super()._load_checkpoint_state(ckpt)
        strip_distillation(self.ema.ema)

    def final_eval(self) -> None:
        """Stop recording and give the student back its own criterion, then validate ``best.pt`` as usual."""
        from ultralytics.utils.torch_utils import unwrap_model
        self._recording.close()
        student = unwrap_model(self.model)
        if isinstance(getattr(student, 'criterion', None), DistillCriterion):
            student.criterion = student.criterion.base
        super().final_eval()

    def _load_distill_state(self, loss_set: DistillLossSet, teacher: nn.Module) -> None:
        """Restore connectors/loss layers (and an online teacher) saved beside the checkpoint being resumed."""
        from ultralytics.utils import LOGGER
        path = Path(str(self.args.resume)).parent / STATE_FILE
        if not path.is_file():
            LOGGER.warning(f'resume: {path} not found; the distillation connectors start from their initial weights')
            return
        state = torch.load(path, map_location='cpu', weights_only=True)
        loss_set.load_state_dict(state['distill_losses'])
        if self.distill_settings.teacher_trainable and state.get('teacher') is not None:
            teacher.load_state_dict(state['teacher'])


def strip_distillation(model: nn.Module) -> None:
    """Remove recording hooks and the distillation criterion from a copy of the student (the EMA), so that what
    Ultralytics saves and validates is the plain student.

    Args:
        model (nn.Module): A deep copy of the student.
    """
    remove_record_hooks(model)
    if isinstance(getattr(model, 'criterion', None), DistillCriterion):
        model.criterion = None


def build_distill_trainer(base: type, settings: YOLODistillSettings) -> type:
    """A trainer class for ``YOLO(...).train(trainer=...)``: the task trainer with distillation.

    Args:
        base (type): The Ultralytics task trainer (``DetectionTrainer``, ``SegmentationTrainer``, ``PoseTrainer``).
        settings (YOLODistillSettings): Teacher and losses.

    Returns:
        type: The subclass, carrying ``settings``; a pruned student (``tools/prune.py``) trains in its pruned shape.
    """
    return type(f'Distill{base.__name__}', (DistillTrainerMixin, PrunedModelTrainerMixin, base),
                {'distill_settings': settings})
