"""mmengine integration: optimizer constructor, student-only checkpoints, loading checkpoints for testing."""
from .optim_constructor import DistillerOptimWrapperConstructor
from .student_checkpoint_hook import StudentCheckpointHook
from .student_export import export_student, student_checkpoint, student_state_dict
from .test_checkpoint import load_checkpoint_for_test, match_checkpoint_to_model

__all__ = ['DistillerOptimWrapperConstructor', 'StudentCheckpointHook', 'export_student', 'student_checkpoint',
           'student_state_dict', 'load_checkpoint_for_test', 'match_checkpoint_to_model']
