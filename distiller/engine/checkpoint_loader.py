"""Loading a checkpoint for testing whatever its form: a full distiller checkpoint or a student-only one, into a
distiller config or a plain student config."""
from typing import Dict, Tuple

from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import load_state_dict
from torch import nn

from ..compat import load_checkpoint_weights_only
from .student_export import STUDENT_PREFIX, student_state_dict


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


def load_checkpoint_for_test(model: nn.Module, filename: str) -> str:
    """Load ``filename`` (weights-only) into ``model`` in the form that fits, strictly.

    Testing a full distiller checkpoint with the student's own config (or a student-only checkpoint with the
    distiller config) is the most common mistake with distillation toolkits; both just work here.

    Args:
        model (nn.Module): The Runner's model (possibly DDP-wrapped).
        filename (str): Checkpoint path.

    Returns:
        str: What was done, as logged.

    Raises:
        RuntimeError: Keys still do not match (the checkpoint is for another architecture).
    """
    model = model.module if is_model_wrapper(model) else model
    checkpoint = load_checkpoint_weights_only(filename, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    target, state, action = match_checkpoint_to_model(model, state)
    load_state_dict(target, state, strict=True)
    print_log(f'{filename}: {action}', logger='current')
    return action
