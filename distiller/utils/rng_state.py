"""The global random number generators training consumes (torch CPU and CUDA, numpy, Python's ``random``), as data
that a weights-only checkpoint can hold."""
import random
from typing import Any, Dict

import numpy as np
import torch


def capture_rng_state() -> Dict[str, Any]:
    """Snapshot every global generator.

    Returns:
        dict: Tensors and plain Python values only (numpy's key array is stored as an int64 tensor), so the snapshot
        loads with ``torch.load(weights_only=True)``.
    """
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return dict(
        torch=torch.get_rng_state(),
        cuda=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        numpy=dict(kind=kind, keys=torch.from_numpy(keys.astype(np.int64)), pos=int(pos), has_gauss=int(has_gauss),
                   cached=float(cached)),
        python=random.getstate())


def restore_rng_state(state: Dict[str, Any]) -> None:
    """Put every global generator back to a snapshot of :func:`capture_rng_state`.

    Args:
        state (dict): The snapshot.
    """
    torch.set_rng_state(state['torch'])
    if state['cuda'] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])
    numpy = state['numpy']
    np.random.set_state((numpy['kind'], numpy['keys'].numpy().astype(np.uint32), numpy['pos'], numpy['has_gauss'],
                         numpy['cached']))
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
