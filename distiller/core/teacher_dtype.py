"""The ``teacher_dtype`` option: a frozen teacher kept in half precision."""
from typing import Optional

import torch

TEACHER_DTYPES = {'float16': torch.float16, 'bfloat16': torch.bfloat16}


def resolve_teacher_dtype(name: Optional[str], teacher_trainable: bool) -> Optional[torch.dtype]:
    """The torch dtype a ``teacher_dtype`` setting names, checked against the other teacher settings.

    Args:
        name (str, optional): ``'float16'``, ``'bfloat16'`` or None (the teacher stays float32).
        teacher_trainable (bool): Whether the teacher is trained (online distillation), which needs float32 weights.

    Returns:
        torch.dtype | None: The dtype, or None.

    Raises:
        ValueError: An unknown name, or a half-precision teacher that is also trained.
    """
    if name is None:
        return None
    if name not in TEACHER_DTYPES:
        raise ValueError(f'teacher_dtype: expected one of {sorted(TEACHER_DTYPES)} or None, got {name!r}')
    if teacher_trainable:
        raise ValueError('teacher_dtype: a half-precision teacher must be frozen; with teacher_trainable=True train it '
                         'under AMP instead')
    return TEACHER_DTYPES[name]
