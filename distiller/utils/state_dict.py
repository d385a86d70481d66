"""The key prefixes of the checkpoints this project reads: DDP's ``module.``, a distiller's ``student.`` and
``teacher.`` parts, and deciding which model a state dict belongs to."""
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Tuple

from torch import nn

STUDENT_PREFIX = 'student.'
TEACHER_PREFIX = 'teacher.'
DDP_PREFIX = 'module.'


def strip_prefix(state_dict: Mapping[str, Any], prefix: str) -> 'OrderedDict[str, Any]':
    """Remove ``prefix`` from the keys that start with it; other keys are kept as they are.

    Args:
        state_dict (Mapping): A state dict.
        prefix (str): The prefix, with its trailing dot.

    Returns:
        OrderedDict: The state dict with the prefix removed.
    """
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v) for k, v in state_dict.items())


def prefixed_part(state_dict: Mapping[str, Any], prefix: str) -> 'OrderedDict[str, Any]':
    """The entries whose keys start with ``prefix``, without it.

    Args:
        state_dict (Mapping): A state dict.
        prefix (str): The prefix, with its trailing dot.

    Returns:
        OrderedDict: Only the prefixed entries (empty if there are none).
    """
    return OrderedDict((k[len(prefix):], v) for k, v in state_dict.items() if k.startswith(prefix))


def student_state_dict(state_dict: Dict[str, Any]) -> 'OrderedDict[str, Any]':
    """Keep the ``student.`` entries of a distiller state dict, without the prefix.

    Args:
        state_dict (dict): The distiller's state dict (keys ``student.*``, ``teacher.*``, ``distill_losses.*``).

    Returns:
        OrderedDict: The student's own state dict, with the keys of a plain model.

    Raises:
        KeyError: No key starts with ``student.`` (not a distiller checkpoint).
    """
    out = prefixed_part(state_dict, STUDENT_PREFIX)
    if not out:
        raise KeyError('no "student." weights in this state dict: is it a distiller checkpoint?')
    return out


def match_checkpoint_to_model(model: nn.Module, state_dict: Dict) -> Tuple[nn.Module, Dict, str]:
    """Decide which module a state dict loads into.

    Args:
        model (nn.Module): The model the test config built (a distiller or a plain model).
        state_dict (dict): The checkpoint's state dict.

    Returns:
        tuple: (module to load into, state dict to load, a sentence saying what was done).
    """
    is_distiller = hasattr(model, 'student') and hasattr(model, 'distill_losses')
    from_distiller = any(k.startswith(STUDENT_PREFIX) for k in state_dict)
    if is_distiller and not from_distiller:
        return model.student, state_dict, 'student-only checkpoint loaded into the distiller\'s student'
    if not is_distiller and from_distiller:
        return model, student_state_dict(state_dict), 'distiller checkpoint: its student is loaded into the model'
    return model, state_dict, 'checkpoint loaded as saved'


class CheckpointMismatchError(ValueError):
    """A checkpoint does not fit the model it is meant for (or is of another form than expected)."""


def unwrap_teacher_state(state_dict: Mapping[str, Any], source: str) -> Tuple['OrderedDict[str, Any]', List[str]]:
    """Strip the wrappers a teacher checkpoint may come in: DDP's ``module.`` and a distiller checkpoint's
    ``teacher.`` part.

    Args:
        state_dict (Mapping): The checkpoint's state dict.
        source (str): The file, for the messages.

    Returns:
        tuple: The teacher's state dict and a list of what was stripped (for a log line).

    Raises:
        CheckpointMismatchError: The checkpoint holds both a student and a teacher.
    """
    notes = []
    state = OrderedDict(state_dict)
    if state and all(k.startswith(DDP_PREFIX) for k in state):
        state = strip_prefix(state, DDP_PREFIX)
        notes.append("DDP's 'module.' prefix stripped")
    has_student = any(k.startswith(STUDENT_PREFIX) for k in state)
    has_teacher = any(k.startswith(TEACHER_PREFIX) for k in state)
    if has_student and has_teacher:
        raise CheckpointMismatchError(
            f'teacher_pretrained {source}: a full distiller checkpoint (student. and teacher. weights) is ambiguous '
            'as a teacher; to distil from its student, export it with `python tools/export_student.py '
            f'{source} OUT.pth` and set teacher_pretrained=OUT.pth; to reuse its teacher, pass the teacher\'s own '
            'checkpoint')
    if has_teacher:
        state = prefixed_part(state, TEACHER_PREFIX)
        notes.append("a distiller checkpoint's 'teacher.' part taken")
    return state, notes


def fit_state_dict(model: nn.Module, state_dict: Mapping[str, Any], source: str, key: str,
                   strict: bool = True) -> 'OrderedDict[str, Any]':
    """Check that a state dict fits a model, before anything is loaded.

    Args:
        model (nn.Module): The model to load into.
        state_dict (Mapping): Its checkpoint's state dict.
        source (str): The file, for the message.
        key (str): The config key that named the file, for the message.
        strict (bool): Any missing, unexpected or differently shaped tensor is an error; with False only the
            tensors that fit are kept (but a checkpoint of which none fits is still an error).

    Returns:
        OrderedDict: The entries to load (all of them when ``strict``).

    Raises:
        CheckpointMismatchError: One line with the counts and the first few keys of each kind of misfit.
    """
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    reshaped = [k for k in state_dict if k in expected and tuple(state_dict[k].shape) != tuple(expected[k].shape)]
    fitting = OrderedDict((k, v) for k, v in state_dict.items() if k in expected and k not in reshaped)
    if fitting and not (strict and (missing or unexpected or reshaped)):
        return fitting
    parts = [f'{len(fitting)} of {len(expected)} tensors fit']
    for what, keys in (('missing', missing), ('unexpected', unexpected), ('of another shape', reshaped)):
        if keys:
            parts.append(f'{len(keys)} {what} ({", ".join(keys[:3])}{", ..." if len(keys) > 3 else ""})')
    hint = '; set teacher_strict=False to load only the tensors that fit' if fitting else ''
    if any(k.startswith(STUDENT_PREFIX) for k in unexpected):
        hint = ("; it holds a distiller's student: export it with `python tools/export_student.py "
                f"{source} OUT.pth` and pass OUT.pth")
    raise CheckpointMismatchError(f'{key} {source} does not fit the model: {"; ".join(parts)}{hint}')
