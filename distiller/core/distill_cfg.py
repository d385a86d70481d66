"""Parsing and validating ``distill_cfg`` (the part that needs no model)."""
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..registry import DISTILL_LOSSES
from .errors import DistillConfigError
from .loss_balance import SHARES
from .recorder import HookSpec

PAIR_KEYS = {'student_module', 'teacher_module', 'output_hook', 'student_output_hook', 'teacher_output_hook', 'index',
             'student_index', 'teacher_index', 'methods'}
METHOD_KEYS = {'type', 'name', 'weight', 'schedule', 'normalize', 'align', 'student_channels', 'teacher_channels',
               'level_reduction', 'balance', 'teacher_path'}
BALANCE_KEYS = {'ratio', 'iters', 'shares'}
LEVEL_REDUCTIONS = ('sum', 'mean')


@dataclass
class MethodSpec:
    """One loss applied to a student/teacher pair.

    Args:
        name (str): Key of the loss in the loss dict (contains ``loss`` so mmengine sums it).
        type (str): Registered loss type.
        loss_cfg (dict): Constructor arguments of the loss (``weight`` included, channels not yet filled in).
        schedule (dict, optional): Weight schedule config (``WEIGHT_SCHEDULES``).
        normalize (bool): Put a parameter-free BatchNorm on both sides.
        align (str | bool | dict): ``'auto'`` builds a 1x1 conv when channels differ; False never does; a dict is an
            explicit connector config for the student side.
        config_key (str): Where this method sits in the config, for messages.
        level_reduction (str): How the per-element losses of a pair (tuple elements, calls) combine: ``'sum'`` or
            ``'mean'`` (the detectron2 recipe's average over its FPN levels).
        balance (dict, optional): Loss-scale balancing: ``ratio`` (the distillation loss as a fraction of the
            student's task loss), ``iters`` (the iterations it is measured over) and ``shares`` (``'equal'`` or
            ``'cells'``: how the levels split the target).
        teacher_path (tuple[str], optional): Teacher modules the (aligned) student feature goes through before the
            loss, in order (CrossKD, SimKD).
    """

    name: str
    type: str
    loss_cfg: Dict[str, Any]
    schedule: Optional[dict] = None
    normalize: bool = False
    align: Any = 'auto'
    config_key: str = ''
    level_reduction: str = 'sum'
    balance: Optional[Dict[str, Any]] = None
    teacher_path: Optional[Tuple[str, ...]] = None


@dataclass
class PairSpec:
    """A student module, its teacher counterpart and the methods applied between them.

    Args:
        student (HookSpec): What to record from the student.
        teacher (HookSpec): What to record from the teacher.
        methods (list[MethodSpec]): The losses on this pair.
        config_key (str): Where this entry sits in the config, for messages.
    """

    student: HookSpec
    teacher: HookSpec
    methods: List[MethodSpec] = field(default_factory=list)
    config_key: str = ''


def parse_distill_cfg(distill_cfg: Sequence[dict]) -> List[PairSpec]:
    """Check the structure of ``distill_cfg`` and turn it into :class:`PairSpec` objects.

    Module names are checked later against the models, and channels against a dry forward.

    Args:
        distill_cfg (Sequence[dict]): The config list (schema: docs/distill_cfg.md).

    Returns:
        list[PairSpec]: One per entry.

    Raises:
        DistillConfigError: A missing or unknown key, an unknown loss type (the message lists the registered ones),
            a duplicate or badly formed loss name.
    """
    if not isinstance(distill_cfg, (list, tuple)) or not distill_cfg:
        raise DistillConfigError(f'distill_cfg: expected a non-empty list of dicts, got {distill_cfg!r}')
    pairs, names = [], {}
    for i, entry in enumerate(distill_cfg):
        key = f'distill_cfg[{i}]'
        pair = _parse_pair(entry, key)
        for method in pair.methods:
            if method.name in names:
                raise DistillConfigError(f'{method.config_key}.name: duplicate loss name {method.name!r} (also used '
                                         f'by {names[method.name]}); every method needs its own name')
            names[method.name] = method.config_key
        pairs.append(pair)
    return pairs


def _parse_pair(entry: Any, key: str) -> PairSpec:
    """Parse one ``distill_cfg`` entry."""
    if not isinstance(entry, dict):
        raise DistillConfigError(f'{key}: expected a dict, got {type(entry).__name__}')
    _check_keys(entry, PAIR_KEYS, {'student_module', 'teacher_module', 'methods'}, key)
    output_hook = bool(entry.get('output_hook', True))
    index = entry.get('index')
    student = HookSpec(_module_name(entry, 'student_module', key), bool(entry.get('student_output_hook', output_hook)),
                       entry.get('student_index', index), f'{key}.student_module')
    teacher = HookSpec(_module_name(entry, 'teacher_module', key), bool(entry.get('teacher_output_hook', output_hook)),
                       entry.get('teacher_index', index), f'{key}.teacher_module')
    methods = entry['methods']
    if not isinstance(methods, (list, tuple)) or not methods:
        raise DistillConfigError(f'{key}.methods: expected a non-empty list of loss dicts, got {methods!r}')
    parsed = [_parse_method(method, f'{key}.methods[{j}]') for j, method in enumerate(methods)]
    return PairSpec(student, teacher, parsed, key)


def _parse_method(method: Any, key: str) -> MethodSpec:
    """Parse one entry of ``methods``."""
    if not isinstance(method, dict) or 'type' not in method:
        raise DistillConfigError(f'{key}: expected a dict with a "type" key, got {method!r}')
    loss_type = method['type']
    loss_cls = DISTILL_LOSSES.get(loss_type) if isinstance(loss_type, str) else loss_type
    if loss_cls is None:
        known = ', '.join(sorted(DISTILL_LOSSES.module_dict))
        raise DistillConfigError(f'{key}.type: unknown distill loss {loss_type!r}; registered losses: {known}')
    type_name = loss_type if isinstance(loss_type, str) else loss_type.__name__
    name = method_name(method)
    if 'loss' not in name or '.' in name:
        raise DistillConfigError(f'{key}.name: {name!r} must contain "loss" (mmengine only sums such keys) and no "."')
    not_loss_args = METHOD_KEYS - {'weight', 'student_channels', 'teacher_channels'}
    loss_cfg = {k: v for k, v in method.items() if k not in not_loss_args}
    loss_cfg['type'] = loss_cls
    align = method.get('align', 'auto')
    if not (align in ('auto', False) or isinstance(align, dict)):
        raise DistillConfigError(f"{key}.align: expected 'auto', False or a connector dict, got {align!r}")
    reduction = method.get('level_reduction', 'sum')
    if reduction not in LEVEL_REDUCTIONS:
        raise DistillConfigError(f"{key}.level_reduction: expected 'sum' or 'mean', got {reduction!r}")
    if reduction == 'mean' and loss_cls.accepts_sequence:
        raise DistillConfigError(f"{key}.level_reduction: {type_name} takes all levels at once and reduces them "
                                 "itself; leave level_reduction at 'sum'")
    return MethodSpec(name, type_name, loss_cfg, method.get('schedule'), bool(method.get('normalize', False)),
                      align, key, reduction, _parse_balance(method, key), _parse_teacher_path(method, key))


def _parse_teacher_path(method: dict, key: str) -> Optional[Tuple[str, ...]]:
    """Check a method's ``teacher_path``: a non-empty list of dotted teacher module names, or absent."""
    path = method.get('teacher_path')
    if path is None:
        return None
    if (not isinstance(path, (list, tuple)) or not path
            or not all(isinstance(name, str) and name for name in path)):
        raise DistillConfigError(f"{key}.teacher_path: expected a non-empty list of teacher module names such as "
                                 f"['bbox_head.cls_convs.3', 'bbox_head.retina_cls'], got {path!r}")
    return tuple(path)


def _parse_balance(method: dict, key: str) -> Optional[Dict[str, Any]]:
    """Check a method's ``balance`` dict (``None`` when the method is not balanced)."""
    balance = method.get('balance')
    if balance is None:
        return None
    if not isinstance(balance, dict):
        raise DistillConfigError(f'{key}.balance: expected a dict such as dict(ratio=0.5, iters=20), got {balance!r}')
    _check_keys(balance, BALANCE_KEYS, set(), f'{key}.balance')
    ratio, iters = balance.get('ratio', 0.5), balance.get('iters', 20)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or ratio <= 0:
        raise DistillConfigError(f'{key}.balance.ratio: expected a positive fraction of the task loss, got {ratio!r}')
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        raise DistillConfigError(f'{key}.balance.iters: expected a whole number of iterations >= 1, got {iters!r}')
    shares = balance.get('shares', 'equal')
    if shares not in SHARES:
        raise DistillConfigError(f"{key}.balance.shares: expected 'equal' (every level the same share) or 'cells' "
                                 f"(shares in proportion to the levels' spatial positions), got {shares!r}")
    if method.get('weight', 1.0) == 0:
        raise DistillConfigError(f'{key}.balance: the method\'s weight is 0, so there is nothing to balance')
    schedule = method.get('schedule') or {}
    if isinstance(schedule, dict) and schedule.get('stop_epoch') == 0:
        raise DistillConfigError(f'{key}.balance: the schedule switches the method off from epoch 0 (stop_epoch=0), '
                                 'so there is nothing to balance')
    return dict(ratio=float(ratio), iters=iters, shares=shares)


def method_name(method: dict) -> str:
    """The loss-dict key of a method: its ``name``, or ``loss_`` + the snake-cased type
    (``ChannelWiseDivergence`` -> ``loss_channel_wise_divergence``).

    Args:
        method (dict): One entry of ``methods`` (``type`` is a registered name, optionally scope-prefixed, or a class).

    Returns:
        str: The name.
    """
    loss_type = method.get('type', '')
    type_name = loss_type if isinstance(loss_type, str) else loss_type.__name__
    return method.get('name') or 'loss_' + re.sub(r'(?<!^)(?=[A-Z])', '_', type_name.split('.')[-1]).lower()


def _module_name(entry: dict, name: str, key: str) -> str:
    """Return a module-name value, checking that it is a non-empty string."""
    value = entry[name]
    if not isinstance(value, str) or not value:
        raise DistillConfigError(f'{key}.{name}: expected a dotted module name such as "neck.fpn_convs.0", '
                                 f'got {value!r}')
    return value


def _check_keys(entry: dict, allowed: set, required: set, key: str) -> None:
    """Fail on missing or unknown keys of a config dict."""
    missing = sorted(required - entry.keys())
    if missing:
        raise DistillConfigError(f'{key}: missing key(s) {", ".join(missing)}')
    unknown = sorted(entry.keys() - allowed)
    if unknown:
        raise DistillConfigError(f'{key}: unknown key(s) {", ".join(unknown)}; allowed: {", ".join(sorted(allowed))}')
