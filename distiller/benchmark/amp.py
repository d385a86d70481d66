"""The AMP precisions the step benchmarks time on CUDA."""
from contextlib import nullcontext
from typing import Optional

import torch

AMP_DTYPES = {'fp16': torch.float16, 'bf16': torch.bfloat16}


def amp_autocast(amp: Optional[str]):
    """CUDA autocast in the ``amp`` precision, or a no-op context for float32 (``amp`` None).

    Args:
        amp (str, optional): ``fp16``, ``bf16`` or None.

    Returns:
        The context manager.
    """
    if amp is None:
        return nullcontext()
    return torch.autocast(device_type='cuda', dtype=AMP_DTYPES[amp])
