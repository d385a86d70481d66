"""mmengine integration: optimizer constructor, student-only checkpoints."""
from .optim_constructor import DistillerOptimWrapperConstructor
from .student_checkpoint_hook import StudentCheckpointHook
from .student_export import export_student, student_checkpoint, student_state_dict

__all__ = ['DistillerOptimWrapperConstructor', 'StudentCheckpointHook', 'export_student', 'student_checkpoint',
           'student_state_dict']
