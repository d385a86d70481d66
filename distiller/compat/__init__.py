"""Compatibility fixes for the pinned stack (mmengine 0.10.7 on torch >= 2.6, SyncBN on CPU, offline Ultralytics)."""
from .checkpoint import (MMENGINE_CHECKPOINT_GLOBALS, CheckpointReadError, UnsafeCheckpointError,
                         install_safe_checkpoint_loading, load_checkpoint_weights_only)
from .cpu_distributed import prepare_cpu_distributed
from .sync_bn import revert_sync_bn_if_single_process
from .ultralytics_offline import configure_ultralytics_offline

__all__ = [
    'MMENGINE_CHECKPOINT_GLOBALS', 'CheckpointReadError', 'UnsafeCheckpointError', 'install_safe_checkpoint_loading',
    'load_checkpoint_weights_only', 'prepare_cpu_distributed', 'revert_sync_bn_if_single_process',
    'configure_ultralytics_offline'
]
