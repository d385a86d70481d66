"""Weights-only checkpoint loading that mmengine's own checkpoints pass and pickled code does not.

torch >= 2.6 loads with ``weights_only=True`` by default, which refuses mmengine's resume checkpoints because their
``message_hub`` holds ``HistoryBuffer`` objects (numpy arrays inside). Instead of turning the check off, the few
classes those checkpoints contain are allow-listed, and every local checkpoint mmengine loads goes through
:func:`load_checkpoint_weights_only`, which turns a refusal into one clear error.
"""
import os
import os.path as osp
import pickle
from typing import Any, List, Optional

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


def _numpy_array_globals() -> List[Any]:
    """Return what pickling a numpy array or scalar references (module paths differ between numpy 1 and 2)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    dtype_classes = [type(np.dtype(code)) for code in ('float64', 'float32', 'int64', 'int32', 'bool')]
    return [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype, *dtype_classes]


_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """Stand-in for ``builtins.getattr`` that resolves only ``HistoryBuffer``'s statistics methods.

    Pickle protocol 2 (torch's default) stores the methods ``HistoryBuffer.__getstate__`` puts in the state as
    ``getattr(HistoryBuffer, 'mean')``; allowing the real ``getattr`` would let a file reach any attribute of any
    allowed object, so only those lookups are honoured.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_STATISTICS:
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed: only HistoryBuffer statistics methods')


#: Objects found in checkpoints written by mmengine's Runner (message hub history, numpy logs). The restricted
#: ``getattr`` is registered under the name ``builtins.getattr`` that those checkpoints reference.
MMENGINE_CHECKPOINT_GLOBALS: List[Any] = [
    HistoryBuffer, *_numpy_array_globals(), (_history_buffer_getattr, 'builtins.getattr')]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint references objects that weights-only loading does not allow; it was not unpickled."""


class CheckpointReadError(OSError):
    """A checkpoint file cannot be read: empty, truncated, corrupt, not a checkpoint, or not readable."""


def load_checkpoint_weights_only(filename: str, map_location: Optional[Any] = None) -> Any:
    """Load a local checkpoint with ``torch.load(weights_only=True)``.

    Args:
        filename (str): Path of the checkpoint file.
        map_location (optional): Same as :func:`torch.load`.

    Returns:
        Any: The loaded checkpoint (usually a dict with ``state_dict`` and ``meta``).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file references a class or function outside the allow-list (tensors, plain
            containers, numpy arrays, mmengine's ``HistoryBuffer``); nothing from it was executed.
        CheckpointReadError: The file is empty, truncated, corrupt, not a checkpoint or not readable; the message
            names the file and the problem in one line.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file not found: {filename}')
    if not os.access(filename, os.R_OK):
        raise CheckpointReadError(f'cannot read checkpoint {filename}: permission denied')
    if osp.getsize(filename) == 0:
        raise CheckpointReadError(f'cannot read checkpoint {filename}: the file is empty')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if 'Weights only load failed' not in str(err):
            raise CheckpointReadError(f'cannot read checkpoint {filename}: not a PyTorch checkpoint '
                                      f'({_first_line(err)})') from None
        raise UnsafeCheckpointError(
            f'refused to load checkpoint {filename}: it references {_offending(filename, err)}, which weights-only '
            'loading does not allow (it may run code from the file). Checkpoints saved by mmengine, mmdet, mmseg and '
            'this project load without this error; if you trust the file and the name is a plain data class, allow '
            'it with torch.serialization.add_safe_globals.') from None
    except Exception as err:  # noqa: BLE001  the readers fail in many ways on a damaged file; all mean the same
        what = 'truncated or corrupt file' if _looks_like_torch_file(filename) else 'not a PyTorch checkpoint'
        raise CheckpointReadError(f'cannot read checkpoint {filename}: {what} '
                                  f'({type(err).__name__}: {_first_line(err)})') from None


def _looks_like_torch_file(filename: str) -> bool:
    """Whether a file starts like one of torch's two formats: a zip archive or a (legacy) pickle."""
    with open(filename, 'rb') as handle:
        return handle.read(2) in (b'PK', b'\x80\x02')


def _first_line(err: Exception) -> str:
    """The first sentence of an exception's message."""
    return (str(err).strip().splitlines() or [''])[0].split('. ')[0]


def _offending(filename: str, err: Exception) -> str:
    """Name what made weights-only loading refuse a file: its unsafe globals, or the unpickler's own reason."""
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # legacy (non-zip) files cannot be scanned
        names = []
    if names:
        return ', '.join(names)
    reason = str(err).rpartition('WeightsUnpickler error:')[2].strip() or str(err)
    return reason.splitlines()[0]


def install_safe_checkpoint_loading() -> None:
    """Allow-list mmengine's checkpoint classes and route mmengine's local checkpoint loading through
    :func:`load_checkpoint_weights_only` (used by ``load_from``, ``resume`` and ``load_checkpoint``)."""
    torch.serialization.add_safe_globals(MMENGINE_CHECKPOINT_GLOBALS)
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_weights_only, force=True)


def load_from_local_weights_only(filename: str, map_location: Optional[Any] = None) -> Any:
    """The loader registered with mmengine, which logs ``Loads checkpoint by <name[10:]> backend``."""
    return load_checkpoint_weights_only(filename, map_location)
