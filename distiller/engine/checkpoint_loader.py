"""Loading a checkpoint for testing whatever its form: a full distiller checkpoint or a student-only one, into a
distiller config or a plain student config."""
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import load_state_dict
from torch import nn

from ..compat import load_checkpoint_weights_only
from ..utils import DDP_PREFIX, match_checkpoint_to_model, strip_prefix


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
    state = strip_prefix(state, DDP_PREFIX)
    target, state, action = match_checkpoint_to_model(model, state)
    load_state_dict(target, state, strict=True)
    print_log(f'{filename}: {action}', logger='current')
    return action
