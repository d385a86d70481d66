"""The losses of a ``distill_cfg``: hooks on both models, connectors, losses and schedules, built from one dry run."""
import inspect
import logging
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from ..registry import CONNECTORS, DISTILL_LOSSES
from .connectors import ChannelAlign, FeatureNorm
from .distill_cfg import MethodSpec, PairSpec, parse_distill_cfg
from .errors import DistillConfigError, NonFiniteLossError
from .loss_balance import LossBalancer
from .method import DistillMethod
from .recorder import FeatureRecorder, HookSpec
from .schedules import TrainProgress
from .teacher_path import TeacherPath


class DistillLossSet(nn.Module):
    """Turns the features recorded from a student and a teacher into a dict of weighted distillation losses.

    Build it with the two models (module names are checked at once), then call :meth:`calibrate` with one forward of
    each: that learns the feature shapes, fills in omitted channel counts, checks them, and builds connectors and
    losses. Each training step runs both forwards inside :meth:`recording` and calls :meth:`forward`.

    Its parameters (connectors, loss-owned layers such as MGD's generator) are meant to be trained with the student;
    the recorders are plain attributes, so nothing recorded ever reaches a state dict.

    Args:
        distill_cfg (Sequence[dict]): The ``distill_cfg`` list.
        student (nn.Module): The student model.
        teacher (nn.Module): The teacher model.
        skip_nonfinite (bool): A NaN or infinite distillation loss is replaced by 0 for that step, with a warning,
            instead of failing with :class:`NonFiniteLossError`.
    """

    def __init__(self, distill_cfg: Sequence[dict], student: nn.Module, teacher: nn.Module,
                 skip_nonfinite: bool = False) -> None:
        super().__init__()
        self.skip_nonfinite = skip_nonfinite
        self.iteration = 0
        self.pairs: List[PairSpec] = parse_distill_cfg(distill_cfg)
        self.student_recorder = FeatureRecorder(student, [pair.student for pair in self.pairs])
        self.teacher_recorder = FeatureRecorder(teacher, [pair.teacher for pair in self.pairs])
        self.paths = {method.name: TeacherPath(teacher, method.teacher_path, f'{method.config_key}.teacher_path')
                      for pair in self.pairs for method in pair.methods if method.teacher_path}
        self.methods = nn.ModuleDict()
        self.teacher_reads: Dict[str, HookSpec] = {}  # set by calibrate(): what teacher_outputs holds

    @property
    def loss_names(self) -> List[str]:
        """Names of all methods, in config order."""
        return [method.name for pair in self.pairs for method in pair.methods]

    @property
    def requires(self) -> set:
        """Extra inputs (``gt_bboxes``, ``img_shapes``, ``targets`` ...) that some loss needs from the distiller
        (``teacher_outputs`` is not one: the loss set supplies it from its own recording)."""
        return {key for method in self.methods.values() for key in getattr(method.loss_module, 'requires', ())
                if key != 'teacher_outputs'}

    def calibrate(self, student_forward: Callable[[], Any], teacher_forward: Callable[[], Any]) -> None:
        """Run one forward of each model, then build and check connectors and losses.

        Args:
            student_forward (Callable): Runs the student on a sample input (no arguments).
            teacher_forward (Callable): Runs the teacher on the same input.

        Raises:
            DistillConfigError: Channels given in the config disagree with the features, the student and teacher
                give different numbers of features, or a shape mismatch no connector resolves (shows both shapes).
        """
        student_feats = self.student_recorder.calibrate(student_forward)
        teacher_feats = self.teacher_recorder.calibrate(teacher_forward)
        for pair in self.pairs:
            s_items = _flatten(student_feats[pair.student])
            t_items = _flatten(teacher_feats[pair.teacher])
            if len(s_items) != len(t_items):
                raise DistillConfigError(
                    f'{pair.config_key}: the student module {pair.student.module!r} gives {len(s_items)} feature(s) '
                    f'per step and the teacher module {pair.teacher.module!r} gives {len(t_items)}; select matching '
                    'elements with index/student_index/teacher_index')
            for method in pair.methods:
                if method.name not in self.methods:
                    self.methods[method.name] = _build_method(method, s_items, t_items, self.paths.get(method.name))
        self.teacher_reads = self._teacher_outputs()
        self._check_teacher_reads()

    def _teacher_outputs(self) -> Dict[str, HookSpec]:
        """Teacher module name -> the spec that records its whole output, for the modules the losses read besides
        their own pairs' (``teacher_modules``)."""
        wanted = {name for method in self.methods.values() for name in method.loss_module.teacher_modules}
        specs = {}
        for pair in self.pairs:
            if pair.teacher.module in wanted and pair.teacher.output_hook and pair.teacher.index is None:
                specs.setdefault(pair.teacher.module, pair.teacher)
        return specs

    def _check_teacher_reads(self) -> None:
        """Every teacher output a loss reads besides its own pair's is recorded whole by an entry."""
        for pair in self.pairs:
            for spec in pair.methods:
                for name in self.methods[spec.name].loss_module.teacher_modules:
                    if name not in self.teacher_reads:
                        raise DistillConfigError(
                            f'{spec.config_key}: {spec.type} reads the output of the teacher module {name!r}, which '
                            f'no entry records whole; add an entry with teacher_module={name!r} and no index (for '
                            'CrossKD, the class branch entry of the same levels)')

    @contextmanager
    def recording(self, teacher_stop_early: bool = True) -> Iterator['DistillLossSet']:
        """Record both models while the block runs (buffers are emptied afterwards).

        Args:
            teacher_stop_early (bool): Let a teacher forward started with ``teacher_recorder.run`` stop as soon as
                the last hooked teacher module has fired.

        Yields:
            DistillLossSet: This loss set.
        """
        with ExitStack() as stack:
            stack.enter_context(self.student_recorder.recording())
            stack.enter_context(self.teacher_recorder.recording(stop_early=teacher_stop_early))
            yield self

    def set_progress(self, progress: TrainProgress) -> Dict[str, float]:
        """Update every method's schedule.

        Args:
            progress (TrainProgress): Where training is.

        Returns:
            dict[str, float]: The weight factor of each method.
        """
        self.iteration = progress.iter
        return {name: method.set_progress(progress) for name, method in self.methods.items()}

    def forward(self, task_loss: Optional[Tensor] = None, **extra: Any) -> Dict[str, Tensor]:
        """Compute every method's loss from the current recording.

        Args:
            task_loss (Tensor, optional): The student's own loss of the step (detached), which methods with
                ``balance`` measure against while they calibrate.
            **extra: Inputs some losses need (see :attr:`requires`).

        Returns:
            dict[str, Tensor]: One scalar per method name.
        """
        if not self.methods:
            raise RuntimeError('DistillLossSet.calibrate() must run before the losses are computed')
        losses = {}
        if self.teacher_reads:
            extra = dict(extra, teacher_outputs={name: _flatten(self.teacher_recorder.get(spec))
                                                 for name, spec in self.teacher_reads.items()})
        for pair in self.pairs:
            student = _flatten(self.student_recorder.get(pair.student))
            teacher = _flatten(self.teacher_recorder.get(pair.teacher))
            for spec in pair.methods:
                method = self.methods[spec.name]
                needed = getattr(method.loss_module, 'requires', ())
                missing = [key for key in needed if key not in extra]
                if missing:
                    raise RuntimeError(f'{spec.config_key}: {spec.type} needs {", ".join(missing)}, which the '
                                       'distiller did not pass')
                value = method(student, teacher, task_loss=task_loss, **{key: extra[key] for key in needed})
                losses[spec.name] = self._finite(value, spec, pair)
        return losses

    def _finite(self, loss: Tensor, spec: MethodSpec, pair: PairSpec) -> Tensor:
        """``loss`` itself when finite; otherwise an error naming the method, its pair and the iteration (or, with
        ``skip_nonfinite``, a zero loss and a warning)."""
        if bool(torch.isfinite(loss)):
            return loss
        where = (f'{spec.config_key} ({spec.type}, student {pair.student.module!r} <- teacher '
                 f'{pair.teacher.module!r}): the loss is {float(loss.detach())} at iteration {self.iteration}')
        if not self.skip_nonfinite:
            raise NonFiniteLossError(f'{where}; lower its weight or check the teacher checkpoint '
                                     '(skip_nonfinite=True skips such steps instead)')
        print_log(f'{where}; this step skips it (skip_nonfinite=True)', logger='current', level=logging.WARNING)
        return loss.new_zeros(())

    def level_losses(self) -> Dict[str, Tensor]:
        """The unscaled per-element losses of the last :meth:`forward`, for the logs.

        Returns:
            dict[str, Tensor]: ``'<method name>.level<i>'`` -> detached scalar, for the methods whose pair has more
            than one element (their sum, times weight and schedule factor, is the method's entry).
        """
        return {f'{name}.level{i}': value for name, method in self.methods.items()
                for i, value in enumerate(method.level_losses)}

    def remove_hooks(self) -> None:
        """Remove the forward hooks from both models."""
        self.student_recorder.remove()
        self.teacher_recorder.remove()


def _flatten(calls: List[Any]) -> List[Tensor]:
    """One list of tensors from the per-call values (tuple outputs taken whole are expanded)."""
    items = []
    for value in calls:
        items.extend(value if isinstance(value, (tuple, list)) else [value])
    bad = [type(item).__name__ for item in items if not isinstance(item, Tensor)]
    if bad:
        raise DistillConfigError(f'recorded a {bad[0]} where a tensor was expected; choose a tensor element with '
                                 'index/student_index/teacher_index')
    return items


def _channels(feat: Tensor) -> int:
    """Channel count of a feature (dimension 1; a 1-D tensor counts as one channel)."""
    return feat.shape[1] if feat.dim() > 1 else 1


def _build_method(spec: MethodSpec, students: List[Tensor], teachers: List[Tensor],
                  path: Optional[TeacherPath] = None) -> DistillMethod:
    """Build connectors and loss of one method from the sample features of every element of its pair.

    Elements of equal channels share one set of connectors and one loss; otherwise each element gets its own
    connectors, norms and (if it has any parameters or buffers) its own loss. With a teacher path, the student side
    is aligned to the path's input and the loss compares the path's output with the teacher feature.
    """
    parts = [_element_parts(spec, s, t, path) for s, t in zip(students, teachers)]
    resize = any(part['resize'] for part in parts)
    balancer = _build_balancer(spec, len(parts))
    shared = len({(_channels(s), _channels(t)) for s, t in zip(students, teachers)}) == 1
    if shared:
        first = parts[0]
        return DistillMethod(first['loss'], first['align'], first['norm_student'], first['norm_teacher'], resize,
                             spec.schedule, spec.level_reduction, balancer, path)
    losses = [part['loss'] for part in parts]
    loss = nn.ModuleList(losses) if any(_has_state(m) for m in losses) else losses[0]
    align = _per_element([part['align'] for part in parts])
    norm_student = _per_element([part['norm_student'] for part in parts])
    norm_teacher = _per_element([part['norm_teacher'] for part in parts])
    return DistillMethod(loss, align, norm_student, norm_teacher, resize, spec.schedule, spec.level_reduction,
                         balancer, path)


def _build_balancer(spec: MethodSpec, num_elements: int) -> Optional[LossBalancer]:
    """The loss-scale balancer of a method with ``balance`` (per element, unless the loss reduces the levels)."""
    if spec.balance is None:
        return None
    per_element = not spec.loss_cfg['type'].accepts_sequence
    return LossBalancer(spec.name, spec.balance['ratio'], spec.balance['iters'], num_elements if per_element else 1,
                        mean_reduction=spec.level_reduction == 'mean', shares=spec.balance['shares'])


def _has_state(module: nn.Module) -> bool:
    """Whether a module owns parameters or buffers (then each element needs its own)."""
    return next(iter(module.state_dict()), None) is not None


def _per_element(modules: List[Optional[nn.Module]]) -> Optional[nn.ModuleList]:
    """One module per element (``nn.Identity`` where an element needs none), or None when none needs one."""
    if all(module is None for module in modules):
        return None
    return nn.ModuleList(module if module is not None else nn.Identity() for module in modules)


def _path_parts(spec: MethodSpec, student: Tensor, teacher: Tensor, path: TeacherPath):
    """The student-side connector into a teacher path, and the path's output on the sample feature."""
    c_s, c_in = _channels(student), path.in_channels
    align = None
    if isinstance(spec.align, dict):
        align = _build_connector(spec.align, c_s, c_in)
    elif c_s != c_in:
        if spec.align is False or student.dim() != 4:
            raise DistillConfigError(f'{spec.config_key}: the student feature has {c_s} channels and the teacher path '
                                     f'starts at {c_in}; give align (a 1x1 conv aligns N x C x H x W features)')
        align = ChannelAlign(c_s, c_in)
    with torch.no_grad():
        projected = path(align(student) if align is not None else student)
    if projected.shape[1:2] != teacher.shape[1:2] or projected.dim() != teacher.dim():
        raise DistillConfigError(f'{spec.config_key}.teacher_path: its output {tuple(projected.shape)} does not match '
                                 f'the teacher feature {tuple(teacher.shape)}; end the path at the teacher module')
    return align, projected


def _element_parts(spec: MethodSpec, student: Tensor, teacher: Tensor,
                   path: Optional[TeacherPath] = None) -> Dict[str, Any]:
    """Connectors, norms and loss of one method for one student/teacher feature pair."""
    path_align = None
    if path is not None:
        path_align, student = _path_parts(spec, student, teacher, path)
    shapes = f'student {tuple(student.shape)}, teacher {tuple(teacher.shape)}'
    c_s, c_t = _channels(student), _channels(teacher)
    loss_cfg = dict(spec.loss_cfg)
    takes_channels = {'student_channels', 'teacher_channels'} <= set(inspect.signature(loss_cfg['type']).parameters)
    for name, found in (('student_channels', c_s), ('teacher_channels', c_t)):
        given = loss_cfg.get(name)
        if given is not None and given != found:
            raise DistillConfigError(f'{spec.config_key}.{name}={given}, but the recorded feature has {found} '
                                     f'channels ({shapes})')
        if takes_channels:
            loss_cfg[name] = found
        else:
            loss_cfg.pop(name, None)
    align = path_align  # with a path, the connector feeds it and its output has the teacher's channels already
    if path is None and isinstance(spec.align, dict):
        align = _build_connector(spec.align, c_s, c_t)
    elif path is None and c_s != c_t and not (takes_channels or loss_cfg['type'].accepts_channel_mismatch):
        if spec.align is False or student.dim() != 4 or teacher.dim() != 4:
            raise DistillConfigError(
                f'{spec.config_key}: channel mismatch ({shapes}) that no connector resolves: {spec.type} needs equal '
                "channels; a 1x1-conv connector (align='auto') works on N x C x H x W features only")
        align = ChannelAlign(c_s, c_t)
    if student.dim() != teacher.dim():
        raise DistillConfigError(f'{spec.config_key}: student and teacher features differ in rank ({shapes})')
    resize = (student.dim() == 4 and student.shape[-2:] != teacher.shape[-2:]
              and not loss_cfg['type'].accepts_spatial_mismatch)
    if resize and spec.align is False:
        raise DistillConfigError(f'{spec.config_key}: spatial sizes differ ({shapes}) and align=False forbids the '
                                 'resize connector')
    if spec.normalize and student.dim() != 4:
        raise DistillConfigError(f'{spec.config_key}.normalize: needs N x C x H x W features ({shapes})')
    # The student's norm sits after the connector: at the teacher's width when aligned, else at its own width
    # (a loss that aligns channels itself, such as MGD or FGD, receives the student feature as it is).
    student_width = c_t if align is not None or path is not None else c_s
    return dict(loss=DISTILL_LOSSES.build(loss_cfg), align=align, resize=resize,
                norm_student=FeatureNorm(student_width) if spec.normalize else None,
                norm_teacher=FeatureNorm(c_t) if spec.normalize else None)


def _build_connector(cfg: dict, student_channels: int, teacher_channels: int) -> nn.Module:
    """Build an explicit student-side connector (``ChannelAlign`` unless ``type`` says otherwise), passing the
    channel counts to the arguments of that name it accepts."""
    cfg = dict(cfg)
    cfg.setdefault('type', 'ChannelAlign')
    cls = CONNECTORS.get(cfg['type']) if isinstance(cfg['type'], str) else cfg['type']
    if cls is None:
        known = ', '.join(sorted(CONNECTORS.module_dict))
        raise DistillConfigError(f'align: unknown connector {cfg["type"]!r}; registered connectors: {known}')
    params = inspect.signature(cls).parameters
    found = dict(student_channels=student_channels, teacher_channels=teacher_channels)
    defaults = {key: value for key, value in found.items() if key in params}
    return CONNECTORS.build(cfg, default_args=defaults)
