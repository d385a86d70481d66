"""mmengine integration: the tools' runner, optimizer constructor and wrappers, student-only checkpoints, loading
checkpoints for testing. The mm pruning adapter (:mod:`.mm_pruning`) is imported on its own: it needs
Torch-Pruning."""
from .bn_sparsity_amp_optim_wrapper import BNSparsityAmpOptimWrapper
from .bn_sparsity_optim_wrapper import BNSparsityOptimWrapper
from .checkpoint_loader import load_checkpoint_for_test
from .mm_runner import MMRunner
from .optim_constructor import DistillerOptimWrapperConstructor
from .rng_state_hook import RNGStateHook
from .student_checkpoint_hook import StudentCheckpointHook
from .student_export import export_student, student_checkpoint

__all__ = ['BNSparsityAmpOptimWrapper', 'BNSparsityOptimWrapper', 'load_checkpoint_for_test', 'MMRunner',
           'DistillerOptimWrapperConstructor', 'RNGStateHook', 'StudentCheckpointHook', 'export_student',
           'student_checkpoint']
