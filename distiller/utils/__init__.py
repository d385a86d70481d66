"""Small helpers shared by the tools and the distillers."""
from .config import load_config, load_runner_config, resolve_config_path
from .state_dict import (DDP_PREFIX, STUDENT_PREFIX, TEACHER_PREFIX, CheckpointMismatchError, fit_state_dict,
                         match_checkpoint_to_model, prefixed_part, strip_prefix, student_state_dict,
                         unwrap_teacher_state)

__all__ = ['load_config', 'load_runner_config', 'resolve_config_path', 'DDP_PREFIX', 'STUDENT_PREFIX',
           'TEACHER_PREFIX', 'CheckpointMismatchError', 'fit_state_dict', 'match_checkpoint_to_model', 'prefixed_part',
           'strip_prefix', 'student_state_dict', 'unwrap_teacher_state']
