"""Exact resume: the global random generators of every rank travel in the checkpoint."""
from typing import Any, Iterator, List, Optional

from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

from ..utils.rng_state import capture_rng_state, restore_rng_state

CHECKPOINT_KEY = 'rng_states'


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save each rank's torch (CPU, CUDA), numpy and Python generators in every checkpoint and restore them on resume,
    so a run killed after a checkpoint and resumed ends with the same weights as an uninterrupted one (random
    augmentations, dropout, MGD's masks).

    mmengine's checkpoints do not hold these states. Two details make the restore exact:

    - The state is restored right before the first batch the resumed run trains on: after the iteration-based loop
      has replayed the data loader up to its position (which consumes random numbers for the augmentations of the
      skipped batches when the data loads in the main process).
    - Validation leaves the generators as it found them, so whether a run validated after its last checkpoint does
      not change what it draws afterwards.

    mmengine saves checkpoints on rank 0 only, so with several processes every rank's states are gathered after each
    training iteration and epoch (one small collective, before the checkpoint hook runs), and rank 0 stores them.

    ``tools/train.py`` adds this hook to every mmengine run.
    """

    priority = 'LOW'  # after the optimizer step, before CheckpointHook (VERY_LOW)

    def __init__(self) -> None:
        self._pending: Optional[dict] = None
        self._before_val: Optional[dict] = None
        self._gathered: Optional[List[dict]] = None

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Gather every rank's states (only with several processes: rank 0 alone saves the checkpoint)."""
        self._gather()

    def after_train_epoch(self, runner) -> None:
        """Gather every rank's states at the end of an epoch, for an epoch checkpoint."""
        self._gather()

    def _gather(self) -> None:
        if get_world_size() > 1:
            self._gathered = all_gather_object(capture_rng_state())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store every rank's generator states (this rank's alone in a single process)."""
        checkpoint[CHECKPOINT_KEY] = self._gathered if get_world_size() > 1 else [capture_rng_state()]

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep this rank's states for the first training batch."""
        states = checkpoint.get(CHECKPOINT_KEY)
        if not states:
            print_log('the checkpoint holds no random generator states (saved without RNGStateHook): the resumed run '
                      'will not repeat an uninterrupted one exactly', logger='current', level='WARNING')
            return
        if len(states) != get_world_size():
            print_log(f'the checkpoint holds the random generator states of {len(states)} processes and this run has '
                      f'{get_world_size()}: they are not restored', logger='current', level='WARNING')
            return
        self._pending = states[get_rank()]

    def before_train(self, runner) -> None:
        """Arrange the restore for the moment the first new batch is fetched."""
        if self._pending is None:
            return
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator'):  # iteration-based: the loop first replays `loop.iter` batches
            loop.dataloader_iterator = _RestoreBeforeBatch(loop.dataloader_iterator, loop.iter, self._pending)
        else:
            restore_rng_state(self._pending)
        self._pending = None

    def before_val(self, runner) -> None:
        """Snapshot the generators before validation."""
        self._before_val = capture_rng_state()

    def after_val(self, runner) -> None:
        """Put the generators back as validation found them."""
        if self._before_val is not None:
            restore_rng_state(self._before_val)
            self._before_val = None


class _RestoreBeforeBatch:
    """Passes batches through; restores the generator states just before fetching batch number ``skip``."""

    def __init__(self, iterator: Iterator, skip: int, state: dict) -> None:
        self._iterator = iterator
        self._skip = skip
        self._state: Optional[dict] = state

    def __next__(self) -> Any:
        if self._state is not None and self._skip == 0:
            restore_rng_state(self._state)
            self._state = None
        self._skip -= 1
        return next(self._iterator)

    def __iter__(self) -> '_RestoreBeforeBatch':
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._iterator, name)
