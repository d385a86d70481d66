"""Where a YOLO model's head reads its features, and the ``distill_cfg`` entries that default to those layers."""
from typing import List, Tuple

from torch import nn

from ..core.distill_cfg import method_name
from ..core.errors import DistillConfigError


def find_head(model: nn.Module, role: str = 'model') -> nn.Module:
    """The detection-type head of an Ultralytics model (``Detect`` and its ``Segment``/``Pose``/``OBB`` subclasses).

    Args:
        model (nn.Module): An Ultralytics ``DetectionModel`` (or subclass).
        role (str): ``student`` or ``teacher``, for the error message.

    Returns:
        nn.Module: The head; its ``f`` lists the layer indices it reads and ``i`` is its own index.

    Raises:
        DistillConfigError: The model has no such head.
    """
    from ultralytics.nn.modules.head import Detect
    layers = getattr(model, 'model', None)
    for module in reversed(list(layers) if isinstance(layers, nn.Sequential) else []):
        if isinstance(module, Detect):
            return module
    raise DistillConfigError(f'the {role} ({type(model).__name__}) has no Detect/Segment/Pose head, so the default '
                             'distillation layers cannot be found; name student_module/teacher_module explicitly')


def head_input_layers(model: nn.Module, role: str = 'model') -> List[int]:
    """Indices of the layers whose outputs the head reads (``model.15, model.18, model.21`` on YOLOv8).

    Args:
        model (nn.Module): An Ultralytics detection-type model.
        role (str): ``student`` or ``teacher``, for error messages.

    Returns:
        list[int]: One layer index per feature level, finest first.
    """
    head = find_head(model, role)
    return [int(i) for i in (head.f if isinstance(head.f, (list, tuple)) else [head.f])]


def expand_distill_cfg(distill_cfg: List[dict], student: nn.Module,
                       teacher: nn.Module) -> Tuple[List[dict], dict]:
    """Resolve entries that name no modules into one entry per head input level.

    An entry with neither ``student_module`` nor ``teacher_module`` applies its methods to every feature level the
    heads read (student ``model.{f}`` with teacher ``model.{f}``, level by level), so the same config fits YOLOv8,
    YOLO11 and mixed-family pairs. Each expanded method is named ``<name>_<level>``.

    Args:
        distill_cfg (list[dict]): The config's ``distill_cfg``.
        student (nn.Module): The student model.
        teacher (nn.Module): The teacher model.

    Returns:
        tuple: The expanded ``distill_cfg`` and a dict mapping each per-level loss name to its method's name, under
        which the levels are summed for reporting (names not in it are reported as they are).

    Raises:
        DistillConfigError: Only one of the two module names is given, or the heads read different numbers of
            levels.
    """
    if not isinstance(distill_cfg, (list, tuple)) or not distill_cfg:
        raise DistillConfigError(f'distill_cfg: expected a non-empty list of dicts, got {distill_cfg!r}')
    expanded, report = [], {}
    for i, entry in enumerate(distill_cfg):
        named = [key for key in ('student_module', 'teacher_module') if isinstance(entry, dict) and key in entry]
        if len(named) == 2 or not isinstance(entry, dict):
            expanded.append(entry)
            continue
        if named:
            raise DistillConfigError(f'distill_cfg[{i}]: give both student_module and teacher_module, or neither '
                                     '(then the methods apply to every feature level the heads read)')
        levels_s = head_input_layers(student, 'student')
        levels_t = head_input_layers(teacher, 'teacher')
        if len(levels_s) != len(levels_t):
            raise DistillConfigError(f'distill_cfg[{i}]: the student head reads {len(levels_s)} levels (layers '
                                     f'{levels_s}) and the teacher head {len(levels_t)} (layers {levels_t}); name '
                                     'the module pairs explicitly')
        for level, (s, t) in enumerate(zip(levels_s, levels_t)):
            methods = []
            for method in entry.get('methods', ()):
                if not isinstance(method, dict):
                    methods.append(method)
                    continue
                base = method_name(method)
                level_method = {**method, 'name': f'{base}_{level}'}
                if isinstance(method.get('balance'), dict):  # the levels share the target: each gets its part
                    ratio = method['balance'].get('ratio', 0.5)
                    if isinstance(ratio, (int, float)) and not isinstance(ratio, bool):
                        shares = _level_shares(student, len(levels_s), method['balance'].get('shares', 'equal'))
                        # Each expanded method balances one level, so the split is done here.
                        level_method['balance'] = {**method['balance'], 'ratio': ratio * shares[level],
                                                   'shares': 'equal'}
                methods.append(level_method)
                report[f'{base}_{level}'] = base
            expanded.append({**entry, 'student_module': f'model.{s}', 'teacher_module': f'model.{t}',
                             'methods': methods})
    return expanded, report


def _level_shares(student: nn.Module, levels: int, shares: str) -> List[float]:
    """Each head level's share of a balanced entry's target: equal, or (``'cells'``) in proportion to its spatial
    positions, ``1 / stride ** 2``."""
    if shares != 'cells':
        return [1.0 / levels] * levels
    strides = [float(s) for s in getattr(find_head(student, 'student'), 'stride', [])]
    if len(strides) != levels or min(strides) <= 0:
        raise DistillConfigError(f"balance shares='cells': the student head's strides {strides} do not give one "
                                 f'positive stride per level ({levels} levels)')
    cells = [1.0 / stride ** 2 for stride in strides]
    return [c / sum(cells) for c in cells]
