"""mmengine integration: optimizer constructor and wrappers, student-only checkpoints, loading checkpoints for
testing."""
from .bn_sparsity_amp_optim_wrapper import BNSparsityAmpOptimWrapper
from .bn_sparsity_optim_wrapper import BNSparsityOptimWrapper
from .optim_constructor import DistillerOptimWrapperConstructor
from .student_checkpoint_hook import StudentCheckpointHook
from .student_export import export_student, student_checkpoint, student_state_dict
from .test_checkpoint import load_checkpoint_for_test, match_checkpoint_to_model

__all__ = ['BNSparsityAmpOptimWrapper', 'BNSparsityOptimWrapper', 'DistillerOptimWrapperConstructor',
           'StudentCheckpointHook', 'export_student', 'student_checkpoint', 'student_state_dict',
           'load_checkpoint_for_test', 'match_checkpoint_to_model']
