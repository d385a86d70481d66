"""What the mmdet and mmseg distillers share: building both models, the teacher's safe loading and freezing, hooks."""
import logging
import os.path as osp
from typing import Any, Dict, List, Optional, Union

import torch
from mmengine.logging import MessageHub, print_log
from mmengine.model import BaseModel
from torch import Tensor, nn

from ..compat import load_checkpoint_weights_only
from ..core import DistillLossSet, TrainProgress, resolve_teacher_dtype
from ..pruning.resize import load_pruned_checkpoint
from ..utils import fit_state_dict, unwrap_teacher_state
from .model_builder import build_model

ModelCfg = Union[str, dict]


class BaseDistiller(BaseModel):
    """A student trained under a frozen teacher with the losses of ``distill_cfg``.

    Subclasses name the OpenMMLab ``scope`` the two models come from and how a batch turns into the extra inputs of
    the losses (gt boxes, targets) and into a dry-run input.

    Args:
        teacher_cfg (str | dict): Teacher model config: a config file (``mmseg::...``, ``mmdet::...`` or a local
            path) whose ``model`` is used, or a model dict.
        student_cfg (str | dict): Student model config, same forms.
        distill_cfg (list[dict]): The distillation losses (see the README).
        teacher_pretrained (str, optional): Teacher checkpoint, loaded weights-only.
        teacher_trainable (bool): Online distillation: the teacher is trained too, on its own task loss (its loss
            keys get a ``teacher.`` prefix). Default False: the teacher is frozen and in eval mode for the whole run.
        teacher_stop_early (bool): Stop the teacher's forward once the last hooked teacher module has fired.
        teacher_dtype (str, optional): ``'float16'`` or ``'bfloat16'``: keep the frozen teacher's weights in half
            precision and run it on half-precision inputs (half the teacher's weight memory, faster on GPUs; the
            features are cast back to float32 for the losses). Default None: the teacher stays float32 (under AMP
            it still runs in autocast like the student).
        calibrate_shape (tuple[int, int, int, int]): Shape of the dry-run input that sizes connectors and losses.
        test_teacher (bool): Validation and test run the teacher instead of the student (``tools/test.py
            --teacher``), to put the teacher's metric beside the student's.
        data_preprocessor (dict, optional): Unused: each model keeps the data preprocessor of its own config (the
            distiller only moves data to the device). Accepted so configs may carry one.
        init_cfg (dict, optional): Passed to ``BaseModel``.
        student_pruned (str, optional): A pruned checkpoint of the student (``tools/prune.py``): the student built
            from ``student_cfg`` takes its channel counts and weights (recovery distillation after pruning).
        teacher_strict (bool): ``teacher_pretrained`` must fit the teacher exactly: a missing, unexpected or
            differently shaped tensor fails at build time with the counts and the first keys. False loads only the
            tensors that fit (with a warning); a checkpoint of which nothing fits always fails.
        skip_nonfinite (bool): A NaN/inf distillation loss is skipped for that step with a warning instead of
            failing with an error that names the method, its pair and the iteration.
    """

    scope: str = ''

    def __init__(self, teacher_cfg: ModelCfg, student_cfg: ModelCfg, distill_cfg: List[dict],
                 teacher_pretrained: Optional[str] = None, teacher_trainable: bool = False,
                 teacher_stop_early: bool = True, teacher_dtype: Optional[str] = None,
                 calibrate_shape=(2, 3, 128, 128), test_teacher: bool = False,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 student_pruned: Optional[str] = None, teacher_strict: bool = True,
                 skip_nonfinite: bool = False) -> None:
        super().__init__(data_preprocessor=None, init_cfg=init_cfg)
        if teacher_pretrained:
            _check_checkpoint_exists(teacher_pretrained, 'teacher_pretrained')
        self.student = self._build_model(student_cfg, 'student_cfg')
        if student_pruned:  # resized to the pruned checkpoint's shapes and loaded (see distiller.pruning.resize)
            load_pruned_checkpoint(self.student, student_pruned)
        self.teacher = self._build_model(teacher_cfg, 'teacher_cfg')
        self.teacher_trainable = teacher_trainable
        self.teacher_pretrained = teacher_pretrained
        self.test_teacher = test_teacher
        self.teacher_stop_early = teacher_stop_early and not teacher_trainable
        if teacher_pretrained:
            self._load_teacher(teacher_pretrained, teacher_strict)
        if not teacher_trainable:
            self.teacher.requires_grad_(False)
            self.teacher.eval()
        self.teacher_dtype = resolve_teacher_dtype(teacher_dtype, teacher_trainable)
        if self.teacher_dtype is not None:
            self.teacher.to(self.teacher_dtype)
            self.teacher.data_preprocessor.float()
        self.distill_losses = DistillLossSet(distill_cfg, self.student, self.teacher, skip_nonfinite)
        self._calibrate(calibrate_shape)
        self.teacher_own_preprocessing = _preprocessor_signature(self.teacher) != _preprocessor_signature(self.student)

    def _build_model(self, cfg: ModelCfg, key: str) -> nn.Module:
        """Build one model from a config reference or a model dict in this distiller's scope."""
        return build_model(cfg, self.scope, key)

    def _load_teacher(self, path: str, strict: bool) -> None:
        """Load the teacher's weights (weights-only), after checking that they fit (see ``teacher_strict``)."""
        checkpoint = load_checkpoint_weights_only(path, map_location='cpu')
        state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else checkpoint
        state, notes = unwrap_teacher_state(state, path)
        state = fit_state_dict(self.teacher, state, path, 'teacher_pretrained', strict)
        self.teacher.load_state_dict(state, strict=strict)
        skipped = len(self.teacher.state_dict()) - len(state)
        level = logging.WARNING if skipped else logging.INFO
        print_log(f'teacher weights loaded from {path}: {len(state)} tensors'
                  f'{"; " + "; ".join(notes) if notes else ""}'
                  f'{f"; {skipped} left at their initialisation (teacher_strict=False)" if skipped else ""}',
                  logger='current', level=level)

    def init_weights(self) -> None:
        """Initialise the student as its config says; the teacher only when no ``teacher_pretrained`` was given
        (so the Runner's ``init_weights`` never overwrites the loaded teacher). Connectors keep their construction
        init."""
        self.student.init_weights()
        if not self.teacher_pretrained:
            self.teacher.init_weights()
        self._is_init = True

    def train(self, mode: bool = True) -> 'BaseDistiller':
        """Set train/eval mode; a frozen teacher stays in eval mode.

        Args:
            mode (bool): Train mode for the student (and a trainable teacher).

        Returns:
            BaseDistiller: self.
        """
        super().train(mode)
        if not self.teacher_trainable:
            self.teacher.eval()
        return self

    def _calibrate(self, shape) -> None:
        """Dry-run both models once on a blank batch to size connectors and losses."""
        inputs = torch.zeros(shape)
        samples = self.dummy_data_samples(shape)
        was_training = self.student.training
        self.student.eval()
        with torch.no_grad():
            self.distill_losses.calibrate(lambda: self.student(inputs, samples, mode='tensor'),
                                          lambda: self.teacher(self.teacher_inputs(inputs), samples, mode='tensor'))
        self.student.train(was_training)

    def teacher_inputs(self, inputs: Tensor) -> Tensor:
        """The preprocessed batch in the teacher's precision (``teacher_dtype``).

        Args:
            inputs (Tensor): The preprocessed batch.

        Returns:
            Tensor: ``inputs``, cast to ``teacher_dtype`` when one is set.
        """
        return inputs if self.teacher_dtype is None else inputs.to(self.teacher_dtype)

    def dummy_data_samples(self, shape) -> list:
        """Blank data samples whose metainfo matches a batch of ``shape`` (two-stage detectors read it).

        Args:
            shape (tuple): N, C, H, W of the dry-run input.

        Returns:
            list: One data sample (of :meth:`data_sample_type`) per image.
        """
        size = tuple(shape[-2:])
        meta = dict(img_shape=size, ori_shape=size, pad_shape=size, batch_input_shape=size, scale_factor=(1.0, 1.0))
        sample_type = self.data_sample_type()
        return [sample_type(metainfo=meta) for _ in range(shape[0])]

    def data_sample_type(self) -> type:
        """The data sample class of the models' package; implemented by subclasses."""
        raise NotImplementedError

    def distill_inputs(self, data_samples: list, inputs: Tensor) -> Dict[str, Any]:
        """Extra inputs the losses may need (``gt_bboxes``, ``img_shapes``, ``targets``); by subclasses.

        Args:
            data_samples (list): The batch's data samples after preprocessing.
            inputs (Tensor): The preprocessed batch.

        Returns:
            dict: Name -> value for each extra input the task provides.
        """
        raise NotImplementedError

    def forward(self, inputs: Any, data_samples: Optional[list] = None, mode: str = 'tensor'):
        """Dispatch like an OpenMMLab model: ``loss`` trains with distillation, other modes run the student (the
        teacher with ``test_teacher=True``).

        Args:
            inputs: The raw batch inputs (each model applies its own data preprocessor).
            data_samples (list, optional): The batch's data samples.
            mode (str): ``loss``, ``predict`` or ``tensor``.

        Returns:
            dict | list | Tensor: Losses, predictions or raw outputs of the student.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if self.test_teacher:
            data = self.teacher.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), False)
            return self.teacher(self.teacher_inputs(data['inputs']), data['data_samples'], mode=mode)
        data = self.student.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), False)
        return self.student(data['inputs'], data['data_samples'], mode=mode)

    def loss(self, inputs: Any, data_samples: Optional[list]) -> Dict[str, Tensor]:
        """Teacher forward -> student forward with its task loss -> distillation losses, in one loss dict.

        Args:
            inputs: The raw batch inputs.
            data_samples (list): The batch's data samples.

        Returns:
            dict[str, Tensor]: The student's task losses and one entry per distillation method.
        """
        student_data = self.student.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)
        teacher_data = self.teacher.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True) \
            if self.teacher_own_preprocessing else student_data
        self.distill_losses.set_progress(_progress())
        with self.distill_losses.recording(teacher_stop_early=self.teacher_stop_early):
            if self.teacher_trainable:
                teacher_losses = self.teacher.loss(teacher_data['inputs'], teacher_data['data_samples'])
            else:
                teacher_losses = {}
                with torch.no_grad():
                    self.distill_losses.teacher_recorder.run(
                        self.teacher, self.teacher_inputs(teacher_data['inputs']), teacher_data['data_samples'],
                        mode='tensor')
            losses = dict(self.student.loss(student_data['inputs'], student_data['data_samples']))
            extra = self.distill_inputs(student_data['data_samples'], student_data['inputs'])
            extra.update(_sample_indices(student_data['data_samples'], student_data['inputs'].device))
            task_loss = self.student.parse_losses(losses)[0].detach()  # what the optimizer would minimise
            losses.update(self.distill_losses(task_loss=task_loss,
                                              **{k: extra[k] for k in self.distill_losses.requires if k in extra}))
        hub = MessageHub.get_current_instance()
        for key, value in self.distill_losses.level_losses().items():
            hub.update_scalar(f'train/{key}', value)  # logged beside the losses, not added to them
        losses.update({f'teacher.{k}': v for k, v in teacher_losses.items()})
        return losses


def _check_checkpoint_exists(path: str, key: str) -> None:
    """Fail before any model is built when a checkpoint named in the config is not there."""
    resolved = osp.abspath(osp.expanduser(path))
    if not osp.isfile(resolved):
        raise FileNotFoundError(f'{key}: checkpoint file not found: {path} (looked for {resolved})')


def _sample_indices(data_samples: list, device: torch.device) -> Dict[str, Tensor]:
    """``indices``: each sample's dataset index (``sample_idx``, kept when the pipeline's ``meta_keys`` list it), for
    losses with a per-sample memory (CRD); empty when the samples do not carry it."""
    indices = [sample.metainfo.get('sample_idx') for sample in data_samples or []]
    if not indices or any(index is None for index in indices):
        return {}
    return dict(indices=torch.tensor(indices, dtype=torch.long, device=device))


def _preprocessor_signature(model: nn.Module) -> tuple:
    """What decides a data preprocessor's output: its type, buffers and plain settings."""
    pre = model.data_preprocessor
    settings = tuple(sorted((k, repr(v)) for k, v in vars(pre).items() if not k.startswith('_') and k != 'training'
                            and not isinstance(v, (nn.Module, Tensor))))
    buffers = tuple((name, tuple(buf.flatten().tolist())) for name, buf in pre.named_buffers())
    return (type(pre).__name__, settings, buffers)


def _progress() -> TrainProgress:
    """Training progress as mmengine's RuntimeInfoHook publishes it in the message hub."""
    hub = MessageHub.get_current_instance()
    max_iters, max_epochs = hub.get_info('max_iters'), hub.get_info('max_epochs')
    return TrainProgress(iter=hub.get_info('iter', 0), epoch=hub.get_info('epoch', 0), max_iters=max_iters,
                         max_epochs=max_epochs,
                         iters_per_epoch=max_iters // max_epochs if max_iters and max_epochs else None)
