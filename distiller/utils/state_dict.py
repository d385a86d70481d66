"""The key prefixes of the checkpoints this project reads: DDP's ``module.``, a distiller's ``student.`` and
``teacher.`` parts, and deciding which model a state dict belongs to."""
from collections import OrderedDict
from typing import Any, Dict, Mapping, Tuple

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
