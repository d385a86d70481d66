"""Multi-process training on machines without CUDA (gloo), which mmengine 0.10.7 cannot start by itself."""
import torch
import torch.distributed as dist
from mmengine.config import Config


def prepare_cpu_distributed(cfg: Config) -> bool:
    """Start a gloo process group and a CPU DDP wrapper when a launcher is used on a machine without CUDA.

    mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` and its ``wrap_model`` passes
    ``device_ids=[LOCAL_RANK]``; both fail without CUDA. The Runner skips ``init_dist`` when a process group already
    exists, so starting it here (from the ``torch.distributed.run`` environment) and wrapping with
    ``device_ids=None`` lets ``tools/dist_train.sh`` work on CPU machines too.

    Args:
        cfg (Config): The runner config (``launcher`` set from ``--launcher``); ``model_wrapper_cfg`` is filled in
            unless the config sets one.

    Returns:
        bool: True when the CPU process group was started here.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available() or dist.is_initialized():
        return False
    dist.init_process_group(backend='gloo')
    cfg.setdefault('model_wrapper_cfg', dict(type='MMDistributedDataParallel', device_ids=None))
    return True
