"""Recording module outputs (or inputs) through forward hooks, addressed by dotted module name."""
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from torch import Tensor, nn

from .errors import DistillConfigError
from .module_lookup import get_module

RecordKey = Tuple[str, bool]


@dataclass(frozen=True)
class HookSpec:
    """What to record from one module.

    Args:
        module (str): Dotted module name (``neck.fpn_convs.0.conv``, ``decode_head.conv_seg``, ``model.15``).
        output_hook (bool): Record the module's output (True) or its positional input (False).
        index (int | str, optional): Element to take from a tuple/list output (an FPN level) or the positional input
            to take; a string takes that key of a dict output (a YOLO head's ``'scores'``; a tuple output is searched
            for a dict holding the key, as inference-mode heads return ``(decoded, raw dict)``); None takes the whole
            output (and, for inputs, the first positional argument).
        config_key (str): Config key that named the module, for error messages.
    """

    module: str
    output_hook: bool = True
    index: Optional[Union[int, str]] = None
    config_key: str = 'module'

    @property
    def key(self) -> RecordKey:
        """The hook this spec reads from: one hook serves every spec on the same module and direction."""
        return (self.module, self.output_hook)


class StopForward(Exception):
    """Raised by a hook once every recorded module has fired its expected number of calls."""


class _RecordHook:
    """Forward (pre-)hook that hands what it sees to the recorder; a class so that it pickles and deep-copies."""

    def __init__(self, recorder: 'FeatureRecorder', key: RecordKey) -> None:
        self.recorder = recorder
        self.key = key

    def __call__(self, module: nn.Module, args: Tuple, output: Any = None) -> None:
        self.recorder._record(self.key, output if self.key[1] else args)


class FeatureRecorder:
    """Registers forward hooks on the modules named by ``specs`` and keeps what they see during a recording.

    Every call of a module is kept, in call order (a shared detection head is called once per FPN level). Hooks record
    only inside :meth:`recording`, and the buffers are emptied when it ends, so nothing accumulates across steps and
    inference runs record nothing. A module whose recorded tensor is later changed in place (a following
    ``ReLU(inplace=True)``) is detected by :meth:`calibrate` and from then on recorded as a copy.

    Args:
        model (nn.Module): The model to record from.
        specs (Sequence[HookSpec]): What to record.
    """

    def __init__(self, model: nn.Module, specs: Sequence[HookSpec]) -> None:
        self.specs = list(specs)
        self.expected_calls: Dict[RecordKey, int] = {}
        self.clone_keys: set = set()
        self._data: Dict[RecordKey, List[Tuple[Any, List[int]]]] = {}
        self._active = False
        self._stop_early = False
        self._pending = 0
        self._hooks: List[Tuple[nn.Module, int, RecordKey]] = []
        registered = set()
        for spec in self.specs:
            module = get_module(model, spec.module, spec.config_key)
            if spec.key in registered:
                continue
            registered.add(spec.key)
            hook = _RecordHook(self, spec.key)
            handle = module.register_forward_hook(hook) if spec.output_hook else module.register_forward_pre_hook(hook)
            self._hooks.append((module, handle.id, spec.key))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.update(_data={}, _active=False, _stop_early=False, _pending=0)
        return state

    @contextmanager
    def recording(self, stop_early: bool = False) -> Iterator['FeatureRecorder']:
        """Record while the block runs; the buffers are cleared when it ends.

        Args:
            stop_early (bool): Raise :class:`StopForward` from the hook that completes the recording (every module
                has fired as often as in :meth:`calibrate`), so a forward run through :meth:`run` ends there.

        Yields:
            FeatureRecorder: This recorder.
        """
        self._data = {}
        self._active = True
        self._stop_early = stop_early and bool(self.expected_calls)
        self._pending = sum(self.expected_calls.values())
        try:
            yield self
        finally:
            self._active = False
            self._stop_early = False
            self._data = {}

    def run(self, forward: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``forward``; a :class:`StopForward` from a hook ends it quietly (the result is then None).

        Args:
            forward (Callable): The forward to run, e.g. ``teacher.extract_feat``.
            *args: Positional arguments of ``forward``.
            **kwargs: Keyword arguments of ``forward``.

        Returns:
            Any: What ``forward`` returned, or None when it was stopped early.
        """
        try:
            return forward(*args, **kwargs)
        except StopForward:
            return None

    def calibrate(self, forward: Callable[..., Any], *args: Any, **kwargs: Any) -> Dict[HookSpec, List[Any]]:
        """Run one forward to learn how often each module is called and which outputs are changed in place.

        Args:
            forward (Callable): A forward of the model that reaches every recorded module.
            *args: Positional arguments of ``forward``.
            **kwargs: Keyword arguments of ``forward``.

        Returns:
            dict: For each spec, the list of recorded values (one per call), e.g. to read channel counts.

        Raises:
            DistillConfigError: A hooked module was never called (the message names its submodules).
        """
        with self.recording():
            forward(*args, **kwargs)
            self.expected_calls = {key: len(calls) for key, calls in self._data.items()}
            self.clone_keys = {key for key, calls in self._data.items()
                               if any(_versions(value) != versions for value, versions in calls)}
            missing = [spec for spec in self.specs if spec.key not in self._data]
            if missing:
                names = ', '.join(f'{spec.config_key}={spec.module!r}' for spec in missing)
                children = ', '.join(f'{missing[0].module}.{name}' for name, _ in
                                     self._module(missing[0]).named_children()) or '(it has no submodules)'
                raise DistillConfigError(
                    f'{names}: never called in a forward of the model. It is off the forward path, or its forward is '
                    f'invoked directly (e.g. mmdet calls bbox_head.forward(), which skips hooks); hook one of its '
                    f'submodules instead: {children}')
            return {spec: [_select(value, spec) for value, _ in self._data[spec.key]] for spec in self.specs}

    def _module(self, spec: HookSpec) -> nn.Module:
        """The hooked module of ``spec``."""
        return next(module for module, _, key in self._hooks if key == spec.key)

    def get(self, spec: HookSpec) -> List[Any]:
        """Return what ``spec`` recorded in the current recording, one entry per call.

        Args:
            spec (HookSpec): One of this recorder's specs.

        Returns:
            list: The recorded values (tensors, or tuples when ``index`` is None on a tuple output).

        Raises:
            RuntimeError: The module was not called, or its recorded tensor was changed in place after recording.
        """
        calls = self._data.get(spec.key)
        if not calls:
            raise RuntimeError(f'{spec.config_key}={spec.module!r} recorded nothing in this step: the module was not '
                               'called (is it on the forward path?)')
        for value, versions in calls:
            if _versions(value) != versions:
                raise RuntimeError(
                    f'{spec.config_key}={spec.module!r}: the recorded tensor was modified in place after it was '
                    'recorded (an inplace activation follows the module); run calibrate() so it is recorded as a copy')
        return [_select(value, spec) for value, _ in calls]

    def clear(self) -> None:
        """Drop everything recorded so far."""
        self._data = {}

    def remove(self) -> None:
        """Remove the hooks from the model (also works on a pickled or deep-copied recorder)."""
        for module, hook_id, (_, is_output) in self._hooks:
            hooks = module._forward_hooks if is_output else module._forward_pre_hooks
            hooks.pop(hook_id, None)
        self._hooks = []
        self._data = {}

    def _record(self, key: RecordKey, value: Any) -> None:
        """Store one call's value (called by the hooks)."""
        if not self._active:
            return
        if not key[1]:
            value = tuple(value)
        if key in self.clone_keys:
            value = _clone(value)
        calls = self._data.setdefault(key, [])
        calls.append((value, _versions(value)))
        if len(calls) <= self.expected_calls.get(key, 0):
            self._pending -= 1
            if self._stop_early and self._pending == 0:
                raise StopForward


def remove_record_hooks(model: nn.Module) -> int:
    """Remove every recorder hook from ``model`` and its submodules, e.g. from a deep copy of a recorded model that
    must be saved or validated without them.

    Args:
        model (nn.Module): The model to clean.

    Returns:
        int: The number of hooks removed.
    """
    removed = 0
    for module in model.modules():
        for hooks in (module._forward_hooks, module._forward_pre_hooks):
            for hook_id in [i for i, hook in hooks.items() if isinstance(hook, _RecordHook)]:
                del hooks[hook_id]
                removed += 1
    return removed


def _select(value: Any, spec: HookSpec) -> Any:
    """Pick ``spec.index`` from a tuple/list value, or a key from a dict value (inputs default to the first positional
    argument)."""
    if isinstance(spec.index, str):
        return _select_key(value, spec)
    if spec.index is not None:
        if not isinstance(value, (tuple, list)):
            raise RuntimeError(f'{spec.config_key}={spec.module!r} with index={spec.index}: the module '
                               f'{"output" if spec.output_hook else "input"} is a {type(value).__name__}, not a '
                               'tuple or list')
        if not -len(value) <= spec.index < len(value):
            raise RuntimeError(f'{spec.config_key}={spec.module!r}: index={spec.index} is out of range for '
                               f'{len(value)} elements')
        return value[spec.index]
    if not spec.output_hook:
        return value[0]
    return value


def _select_key(value: Any, spec: HookSpec) -> Any:
    """Take key ``spec.index`` from a dict value, or from the first dict inside a tuple/list value."""
    candidates = [value] if isinstance(value, dict) else [v for v in value if isinstance(v, dict)] \
        if isinstance(value, (tuple, list)) else []
    for candidate in candidates:
        if spec.index in candidate:
            return candidate[spec.index]
    keys = sorted({str(k) for candidate in candidates for k in candidate})
    raise RuntimeError(f'{spec.config_key}={spec.module!r} with index={spec.index!r}: the module '
                       f'{"output" if spec.output_hook else "input"} has no such key ('
                       f'{"keys: " + ", ".join(keys) if keys else "it is a " + type(value).__name__ + ", not a dict"})')


def _tensors(value: Any) -> List[Tensor]:
    """The tensors inside a value (one level of tuple/list/dict)."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _versions(value: Any) -> List[int]:
    """In-place version counters of the tensors inside a value."""
    return [t._version for t in _tensors(value)]


def _clone(value: Any) -> Any:
    """Copy the tensors inside a value (keeping the autograd graph)."""
    if isinstance(value, Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_clone(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value
