"""What ``tools/train.py`` and ``tools/test.py`` do with a YOLO distillation config."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.registry import DefaultScope


def is_yolo_config(cfg: Config) -> bool:
    """Whether a config trains with Ultralytics (``model.type`` ``'YOLODistiller'`` or ``'YOLOTraining'``).

    Args:
        cfg (Config): A loaded config.

    Returns:
        bool: True for YOLO configs.
    """
    model = cfg.get('model')
    return isinstance(model, dict) and str(model.get('type', '')).split('.')[-1] in ('YOLODistiller', 'YOLOTraining')


def train_yolo_config(cfg: Config, resume: Optional[str] = None):
    """Train the distiller of a YOLO config into ``cfg.work_dir``.

    Args:
        cfg (Config): Config with ``model`` (a ``YOLODistiller``), ``train_args`` and ``work_dir``.
        resume (str, optional): ``'auto'`` for ``<work_dir>/weights/last.pt``, or a checkpoint path.

    Returns:
        The Ultralytics metrics of the final validation.
    """
    from ..registry import DISTILLERS
    if cfg.get('launcher', 'none') != 'none':
        raise SystemExit('YOLO distillation runs in one process (one GPU or the CPU); drop the launcher')
    with DefaultScope.overwrite_default_scope('distiller'):  # whatever OpenMMLab scope an earlier Runner left
        distiller = DISTILLERS.build(cfg.model)
    if resume == 'auto':
        resume = osp.join(cfg.work_dir, 'weights', 'last.pt')
    return distiller.train(dict(cfg.get('train_args', {})), save_dir=cfg.work_dir, resume=resume)


def test_yolo_config(cfg: Config, checkpoint: str, teacher: bool = False):
    """Validate a YOLO checkpoint with Ultralytics' validator on the config's dataset.

    Args:
        cfg (Config): The YOLO distillation config (its ``train_args`` give data, imgsz, batch, device).
        checkpoint (str): The student checkpoint (``best.pt``); ignored with ``teacher=True``.
        teacher (bool): Validate the config's teacher checkpoint instead.

    Returns:
        The Ultralytics metrics.
    """
    from ultralytics import YOLO
    weights = cfg.model['teacher'] if teacher else checkpoint
    if not osp.isfile(weights):
        raise FileNotFoundError(f'{"teacher" if teacher else "checkpoint"}: file not found: {weights}')
    train_args = dict(cfg.get('train_args', {}))
    keys = ('data', 'imgsz', 'batch', 'device', 'workers', 'half', 'single_cls', 'classes')
    val_args = {key: train_args[key] for key in keys if key in train_args}
    val_args.update(plots=False, save_dir=osp.join(cfg.work_dir, 'val_teacher' if teacher else 'val'))
    return YOLO(weights).val(**val_args)
