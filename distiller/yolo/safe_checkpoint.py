"""Weights-only loading of Ultralytics checkpoints: a ``.pt`` file is read as data, never run.

Ultralytics unpickles a whole checkpoint (``torch.load(weights_only=False)``), so a ``.pt`` file can run code the
moment it is loaded. Every YOLO checkpoint the project loads (teacher, student, ``--resume``, pruned models,
``tools/test.py``, the analysis and benchmark tools) goes through :func:`load_yolo_checkpoint` instead:
:func:`distiller.compat.load_checkpoint_weights_only` (``torch.load(weights_only=True)``, the same errors as the mm
side) with the module classes such checkpoints hold allow-listed for the duration of the load:

- every ``nn.Module`` subclass defined in ``ultralytics.nn`` (blocks, heads, the task models), ``torch.nn.modules``
  and ``distiller.yolo`` (:class:`~distiller.yolo.split_c2f.SplitC2f`), found by walking those packages, so new
  Ultralytics blocks load without a change here; except the submodules in :data:`NOT_WALKED`;
- two plain-data classes Ultralytics pickles: ``IterableSimpleNamespace`` (``model.args``) and ``FeatureHook`` (the
  forward hooks of its built-in distillation, ``distill_model=``, in the checkpoints of such runs).

No function is allow-listed. An allow-listed class may be *rebuilt* from its saved state (what ``torch.save`` writes
for a module: ``cls.__new__`` then the state), but the file may not *call* it: a pickle that calls a class runs its
constructor with arguments of its choosing, and Ultralytics' constructors evaluate strings of a model yaml
(``DetectionModel({'activation': ...})`` ``eval``s it). Each class is therefore entered under its name as a
:class:`_RebuildOnly` stand-in that refuses calls (the plain-data classes may be called without arguments: a
``SimpleNamespace`` pickles as ``cls()`` plus its attributes).

:func:`ultralytics_checkpoint_loading` makes Ultralytics itself load this way where the project hands it a path
(``YOLO(path)``, the trainer's setup and resume, the validator, ``strip_optimizer``). ``trust_checkpoint=True``
(``YOLODistiller``/``YOLOTraining``, the config's ``model`` dict) is the opt-out: Ultralytics' own loader, with a
warning.
"""
import importlib
import os
import pickle
import pkgutil
import threading
from contextlib import contextmanager
from functools import lru_cache
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import torch
from torch import nn

from ..compat import UnsafeCheckpointError, load_checkpoint_weights_only

#: Packages whose ``nn.Module`` subclasses are allow-listed (walked with their submodules).
WALKED_PACKAGES = ('ultralytics.nn', 'torch.nn.modules', 'distiller.yolo')

#: Submodules of :data:`WALKED_PACKAGES` left out, with the reason.
NOT_WALKED = {
    'ultralytics.nn.autobackend': 'the inference wrapper of exported formats: never in a .pt, loads files itself',
    'ultralytics.nn.backends': 'the per-format inference backends: never in a .pt, load files themselves',
    'ultralytics.nn.text_model': 'the CLIP text encoders of YOLO-World/YOLOE: importing it installs CLIP',
    'distiller.yolo.pruning': 'imports Torch-Pruning (an optional dependency) and defines no module class',
}

TRUST_WARNING = ("trust_checkpoint=True: YOLO checkpoints are loaded with Ultralytics' own loader "
                 '(torch.load(weights_only=False)), which runs any code a .pt file carries; use it only for files '
                 'you made or trust')


class _RebuildOnly:
    """The allow-list entry of a class: the unpickler may rebuild an instance (``NEWOBJ``: ``cls.__new__``, then
    ``BUILD`` sets its saved state), but calling it (``REDUCE``, which would run ``__init__`` with arguments from
    the file) is refused.

    Args:
        cls (type): The allow-listed class.
        empty_call (bool): Allow a call without arguments (``SimpleNamespace`` pickles as ``cls()`` plus its state).
    """

    def __init__(self, cls: type, empty_call: bool = False) -> None:
        self.cls = cls
        self.empty_call = empty_call
        # The unpickler's NEWOBJ runs ``entry.__new__(entry, *args)``: create an instance of the real class.
        self.__new__ = lambda _entry, *args: cls.__new__(cls, *args)

    def __call__(self, *args, **kwargs):
        if self.empty_call and not args and not kwargs:
            return self.cls()
        name = _qualified_name(self.cls)
        raise pickle.UnpicklingError(f'a call of {name}(...) (a checkpoint may rebuild an allow-listed class from its '
                                     'saved state, not run its constructor)')

    def __repr__(self) -> str:
        return f'<rebuild-only {_qualified_name(self.cls)}>'


def _qualified_name(cls: type) -> str:
    """The name pickle stores a class under (``module.QualName``)."""
    return f'{cls.__module__}.{cls.__qualname__}'


def _walk(package_name: str) -> Iterator[ModuleType]:
    """Import ``package_name`` and its submodules (those of :data:`NOT_WALKED` and unimportable ones skipped)."""
    try:
        package = importlib.import_module(package_name)
    except ImportError:
        return
    yield package
    for info in pkgutil.iter_modules(getattr(package, '__path__', []), prefix=f'{package_name}.'):
        if info.name in NOT_WALKED:
            continue
        if info.ispkg:
            yield from _walk(info.name)
            continue
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # an optional dependency of that submodule is missing
            continue


def _module_classes(package_name: str) -> List[type]:
    """The ``nn.Module`` subclasses defined (not just imported) in a package and its submodules."""
    classes = []
    for module in _walk(package_name):
        classes += [obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, nn.Module)
                    and obj.__module__ == module.__name__ and '.' not in obj.__qualname__]
    return classes


def _plain_data_classes() -> List[type]:
    """The data classes (no ``nn.Module``) Ultralytics pickles: ``model.args`` (``IterableSimpleNamespace``) and the
    forward hooks its built-in distillation (``distill_model=``) keeps on the model (``FeatureHook``)."""
    from ultralytics.utils import IterableSimpleNamespace
    classes = [IterableSimpleNamespace]
    try:
        from ultralytics.nn.distill_model import FeatureHook
        classes.append(FeatureHook)
    except ImportError:  # an Ultralytics release without built-in distillation
        pass
    return classes


@lru_cache(maxsize=None)
def yolo_checkpoint_classes() -> Tuple[type, ...]:
    """The classes an Ultralytics checkpoint may hold, built from the installed packages on first use.

    Returns:
        tuple[type, ...]: The ``nn.Module`` subclasses of :data:`WALKED_PACKAGES` and the plain-data classes
        (``IterableSimpleNamespace``, ``FeatureHook``), sorted by name.
    """
    classes = set(_plain_data_classes())
    for package in WALKED_PACKAGES:
        classes.update(_module_classes(package))
    return tuple(sorted(classes, key=_qualified_name))


@lru_cache(maxsize=None)
def _allow_list_entries() -> Dict[str, Tuple[Tuple[Any, str], ...]]:
    """Per class name: the ``(object, name)`` entries for ``torch.serialization.safe_globals``.

    The name maps to the class's :class:`_RebuildOnly` stand-in, which is what a file's ``GLOBAL`` gets. The class
    itself must be on the list too (the unpickler sets state only on instances of listed types); it goes under the
    name plus a newline, which no ``GLOBAL`` can spell (module and name are each read up to a newline).
    """
    return {_qualified_name(cls): ((_RebuildOnly(cls, empty_call=not issubclass(cls, nn.Module)), _qualified_name(cls)),
                                   (cls, f'{_qualified_name(cls)}\n'))
            for cls in yolo_checkpoint_classes()}


@contextmanager
def _yolo_checkpoint_globals(filename: str) -> Iterator[None]:
    """Allow-list, for the ``with`` block only, the classes of :func:`yolo_checkpoint_classes` that ``filename``
    references (all of them for a legacy, unscannable file): the weights-only unpickler rebuilds its lookup table
    from every listed entry at each class opcode, so a short list keeps loading fast."""
    entries = _allow_list_entries()
    try:
        names = [name for name in torch.serialization.get_unsafe_globals_in_checkpoint(filename) if name in entries]
    except Exception:  # not a zip checkpoint (legacy format, or not a checkpoint: the load reports it)
        names = list(entries)
    with torch.serialization.safe_globals([entry for name in names for entry in entries[name]]):
        yield


def load_yolo_checkpoint(filename: Union[str, os.PathLike], map_location: Optional[Any] = 'cpu') -> Any:
    """Load an Ultralytics checkpoint weights-only.

    Args:
        filename (str | PathLike): The ``.pt`` file (``best.pt``, ``last.pt``, a pruned checkpoint, a teacher).
        map_location (optional): Same as :func:`torch.load`.

    Returns:
        Any: The checkpoint (a dict with ``model``/``ema``, ``train_args``, ...).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file references a function, a class outside the allow-list, or calls an
            allow-listed class; the one-line message names the file and the refused object. Nothing from the file
            ran.
    """
    filename = str(filename)
    with _yolo_checkpoint_globals(filename):
        try:
            return load_checkpoint_weights_only(filename, map_location=map_location)
        except UnsafeCheckpointError as err:
            raise UnsafeCheckpointError(
                f"{err} (YOLO: trust_checkpoint=True in the config's model dict loads a file you trust with "
                "Ultralytics' own loader)") from None


def _torch_safe_load(weight, safe_only=None):
    """Stand-in for ``ultralytics.nn.tasks.torch_safe_load``: same contract (``(ckpt, file)``), weights-only."""
    from ultralytics.utils.checks import check_suffix
    from ultralytics.utils.downloads import attempt_download_asset
    check_suffix(file=weight, suffix='.pt')
    file = attempt_download_asset(weight)  # an official asset name: the cached copy (a local path is returned as is)
    ckpt = load_yolo_checkpoint(file)
    if isinstance(ckpt, nn.Module):  # torch.save(model, path)
        ckpt = {'model': ckpt}
    if not isinstance(ckpt, dict):
        raise TypeError(f'{weight} is not an Ultralytics checkpoint: it holds a {type(ckpt).__name__}, expected a dict '
                        "with 'model'")
    return ckpt, file


def _torch_load(f, map_location=None, **kwargs):
    """Stand-in for ``ultralytics.utils.torch_utils.torch_load`` (``strip_optimizer`` reads ``best.pt``/``last.pt``
    with it)."""
    return load_yolo_checkpoint(f, map_location=map_location)


_PATCH_LOCK = threading.RLock()
_ULTRALYTICS_LOADERS: Dict[Tuple[str, str], Any] = {}  # Ultralytics' own functions, recorded before the first swap
_trusted_depth = 0


def _loader_slots() -> List[Tuple[ModuleType, str, Any]]:
    """Where Ultralytics looks up its checkpoint loaders, with the weights-only stand-in of each."""
    import ultralytics.nn
    import ultralytics.nn.tasks
    import ultralytics.utils.torch_utils
    slots = [(ultralytics.nn.tasks, 'torch_safe_load', _torch_safe_load),
             (ultralytics.nn, 'torch_safe_load', _torch_safe_load),
             (ultralytics.utils.torch_utils, 'torch_load', _torch_load)]
    for module, name, replacement in slots:
        current = getattr(module, name)
        if current is not replacement:
            _ULTRALYTICS_LOADERS.setdefault((module.__name__, name), current)
    return slots


@contextmanager
def ultralytics_checkpoint_loading(trust_checkpoint: bool = False) -> Iterator[None]:
    """Make Ultralytics load every checkpoint weights-only inside the ``with`` block.

    ``YOLO(path)``, ``load_checkpoint``, the trainer's model setup and resume (``check_resume``, ``setup_model``),
    the validator on a ``.pt`` (``AutoBackend``) and Ultralytics' built-in distillation all read files through
    ``ultralytics.nn.tasks.torch_safe_load``, and ``strip_optimizer`` through ``ultralytics.utils.torch_utils
    .torch_load``; both are replaced by :func:`load_yolo_checkpoint` and restored afterwards. Blocks nest.

    Args:
        trust_checkpoint (bool): Use Ultralytics' own loader in the block (it runs any code a file carries) and log
            a warning: for files you made or trust that the allow-list refuses.
    """
    global _trusted_depth
    with _PATCH_LOCK:
        slots = _loader_slots()
        if trust_checkpoint:
            slots = [(module, name, _ULTRALYTICS_LOADERS[(module.__name__, name)]) for module, name, _ in slots]
            if _trusted_depth == 0:
                from ultralytics.utils import LOGGER
                LOGGER.warning(TRUST_WARNING)
            _trusted_depth += 1
        saved = [(module, name, getattr(module, name)) for module, name, _ in slots]
        for module, name, loader in slots:
            setattr(module, name, loader)
    try:
        yield
    finally:
        with _PATCH_LOCK:
            for module, name, loader in reversed(saved):
                setattr(module, name, loader)
            if trust_checkpoint:
                _trusted_depth -= 1


class SafeLoadingTrainerMixin:
    """Runs an Ultralytics trainer's construction (``check_resume``) and ``train`` (model setup, final validation)
    inside :func:`ultralytics_checkpoint_loading`, also in the processes Ultralytics' multi-GPU mode starts (they
    rebuild the trainer from its class)."""

    trust_checkpoint: bool = False

    def __init__(self, *args, **kwargs) -> None:
        with ultralytics_checkpoint_loading(self.trust_checkpoint):
            super().__init__(*args, **kwargs)

    def train(self):
        """Train as the base trainer does, loading checkpoints weights-only."""
        with ultralytics_checkpoint_loading(self.trust_checkpoint):
            return super().train()


def with_safe_loading(trainer: type, trust_checkpoint: bool = False) -> type:
    """The trainer class with :class:`SafeLoadingTrainerMixin` in front (same name).

    Args:
        trainer (type): An Ultralytics trainer class.
        trust_checkpoint (bool): See :func:`ultralytics_checkpoint_loading`.

    Returns:
        type: The subclass.
    """
    return type(trainer.__name__, (SafeLoadingTrainerMixin, trainer), {'trust_checkpoint': bool(trust_checkpoint)})
