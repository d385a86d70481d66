"""The runner of YOLO configs (``runner_type = 'YOLORunner'``): Ultralytics' own trainer and validator."""
import os.path as osp
from typing import Optional

from mmengine.config import Config

from ..registry import RUNNERS, YOLO_RUNS, runner_class
from .safe_checkpoint import ultralytics_checkpoint_loading


@RUNNERS.register_module()
class YOLORunner:
    """Train or validate the ``model`` of a YOLO config (a ``YOLODistiller`` or ``YOLOTraining``) with Ultralytics.

    ``tools/train.py`` and ``tools/test.py`` build it from the config's ``runner_type`` as they build the mmengine
    runner otherwise, and call :meth:`train` or :meth:`test`.

    Args:
        cfg (Config): Config with ``model``, ``train_args`` (any Ultralytics train argument) and ``work_dir``.
        resume (str, optional): ``last.pt`` of an interrupted run to continue.
        checkpoint (str, optional): The checkpoint :meth:`test` validates.
        test_teacher (bool): ``checkpoint`` is the config's teacher (its results go to ``val_teacher``).
        show_dir (str, optional): Where :meth:`test` saves Ultralytics' validation plots (default: no plots).
    """

    def __init__(self, cfg: Config, resume: Optional[str] = None, checkpoint: Optional[str] = None,
                 test_teacher: bool = False, show_dir: Optional[str] = None) -> None:
        if cfg.get('launcher', 'none') != 'none':
            raise SystemExit('a YOLO config trains on several GPUs through Ultralytics\' own launcher: set '
                             "train_args.device='0,1,...' and run python tools/train.py CONFIG (not dist_train.sh)")
        self.cfg = cfg
        self.resume = resume
        self.checkpoint = checkpoint
        self.test_teacher = test_teacher
        self.show_dir = show_dir

    @classmethod
    def from_train_cfg(cls, cfg: Config, amp: bool = False, resume: Optional[str] = None) -> 'YOLORunner':
        """Build the runner that trains ``cfg``.

        Args:
            cfg (Config): The YOLO config.
            amp (bool): Train with automatic mixed precision (Ultralytics' ``amp`` argument).
            resume (str, optional): ``'auto'`` for ``<work_dir>/weights/last.pt``, or a checkpoint path.

        Returns:
            YOLORunner: The runner.
        """
        if amp:
            cfg.setdefault('train_args', {})['amp'] = True
        if resume == 'auto':
            resume = osp.join(cfg.work_dir, 'weights', 'last.pt')
        return cls(cfg, resume=resume)

    @classmethod
    def from_test_cfg(cls, cfg: Config, checkpoint: str, teacher: bool = False, pruned: bool = False,
                      show_dir: Optional[str] = None) -> 'YOLORunner':
        """Build the runner that validates ``checkpoint`` on the config's dataset.

        Args:
            cfg (Config): The YOLO config (its ``train_args`` give data, imgsz, batch, device).
            checkpoint (str): The student checkpoint (``best.pt``); ignored with ``teacher=True``.
            teacher (bool): Validate the config's teacher checkpoint instead.
            pruned (bool): Accepted for symmetry with mm configs: a pruned YOLO checkpoint carries its own shapes.
            show_dir (str, optional): Save Ultralytics' validation plots (predictions drawn on the validation
                batches, curves, confusion matrix) in this folder instead of ``<work_dir>/val``.

        Returns:
            YOLORunner: The runner.
        """
        return cls(cfg, checkpoint=cfg.model['teacher'] if teacher else checkpoint, test_teacher=teacher,
                   show_dir=show_dir)

    def train(self):
        """Train the config's model into ``work_dir``.

        Returns:
            The Ultralytics metrics of the final validation.
        """
        run = YOLO_RUNS.build(self.cfg.model)
        return run.train(dict(self.cfg.get('train_args', {})), save_dir=self.cfg.work_dir, resume=self.resume)

    def test(self):
        """Validate the checkpoint with Ultralytics' validator; the checkpoint is loaded weights-only unless the
        config's ``model`` sets ``trust_checkpoint=True``.

        Returns:
            The Ultralytics metrics.
        """
        from ultralytics import YOLO
        if not osp.isfile(self.checkpoint):
            raise FileNotFoundError(f'{"teacher" if self.test_teacher else "checkpoint"}: file not found: '
                                    f'{self.checkpoint}')
        train_args = dict(self.cfg.get('train_args', {}))
        keys = ('data', 'imgsz', 'batch', 'device', 'workers', 'half', 'single_cls', 'classes')
        val_args = {key: train_args[key] for key in keys if key in train_args}
        val_dir = osp.join(self.cfg.work_dir, 'val_teacher' if self.test_teacher else 'val')
        val_args.update(plots=bool(self.show_dir), save_dir=self.show_dir or val_dir)
        with ultralytics_checkpoint_loading(bool(self.cfg.model.get('trust_checkpoint', False))):
            return YOLO(self.checkpoint).val(**val_args)


def is_yolo_config(cfg: Config) -> bool:
    """Whether a config's ``runner_type`` runs it with Ultralytics (for the tools that handle the two families'
    results differently; ``tools/train.py`` and ``tools/test.py`` only build the runner).

    Args:
        cfg (Config): A loaded config.

    Returns:
        bool: True when its runner is a :class:`YOLORunner`.
    """
    return issubclass(runner_class(cfg), YOLORunner)
