"""Peak memory of a stretch of work: allocated CUDA memory on a GPU, resident set size on the CPU."""
import re
from pathlib import Path

import torch

# glibc serves large blocks from the heap once its mmap threshold has adapted upwards, and freed heap memory may stay
# resident, which makes a CPU peak depend on the allocation history. Processes that measure one run with this
# environment: a fixed threshold keeps large tensors in mmap'd blocks that are returned when freed, so the
# resident-size peak follows the live tensors.
MALLOC_ENV = {'MALLOC_MMAP_THRESHOLD_': '131072'}


class PeakMemory:
    """Measures the peak memory a process reaches from :meth:`reset` on.

    On a GPU it is ``torch.cuda.max_memory_allocated`` (weights, gradients, optimizer state and activations all live
    there). On the CPU it is the peak resident set size (``VmHWM``, reset through ``/proc/self/clear_refs``) minus
    the resident size when this object was created, so create it after the imports and before building the models:
    the figure then covers weights, gradients, optimizer state and activations, not the libraries.

    Args:
        device (str): ``'cpu'`` or a CUDA device string.
    """

    def __init__(self, device: str) -> None:
        self.cuda = str(device).startswith('cuda')
        self.baseline = 0 if self.cuda else _status_kib('VmRSS') * 1024

    def reset(self) -> None:
        """Start a new peak from what is allocated now."""
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            Path('/proc/self/clear_refs').write_text('5')

    def peak_bytes(self) -> int:
        """The peak since :meth:`reset`, in bytes, above the baseline.

        Returns:
            int: Bytes.
        """
        if self.cuda:
            torch.cuda.synchronize()
            return int(torch.cuda.max_memory_allocated())
        return _status_kib('VmHWM') * 1024 - self.baseline


def _status_kib(field: str) -> int:
    """One ``kB`` field of ``/proc/self/status``."""
    match = re.search(rf'^{field}:\s+(\d+) kB', Path('/proc/self/status').read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f'/proc/self/status has no {field}; CPU peak memory needs Linux')
    return int(match.group(1))


def weight_bytes(module: torch.nn.Module) -> int:
    """Bytes of a module's parameters and buffers.

    Args:
        module (nn.Module): The module.

    Returns:
        int: Bytes.
    """
    tensors = list(module.parameters()) + list(module.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)
