"""The mmengine Runner as ``tools/train.py`` and ``tools/test.py`` use it for mmdet/mmseg models and distillers."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

from ..compat import prepare_cpu_distributed
from ..pruning import resize_for_checkpoint
from ..registry import DISTILLERS, RUNNERS
from .checkpoint_loader import load_checkpoint_for_test
from .rng_state_hook import RNGStateHook

_AMP_WRAPPERS = {'OptimWrapper': 'AmpOptimWrapper', 'BNSparsityOptimWrapper': 'BNSparsityAmpOptimWrapper'}
# What mmdet's and mmseg's own tools/test.py use to draw predictions (--show-dir).
_VISUALIZERS = {'mmdet': ('mmdet.DetVisualizationHook', 'mmdet.DetLocalVisualizer'),
                'mmseg': ('mmseg.SegVisualizationHook', 'mmseg.SegLocalVisualizer')}


@RUNNERS.register_module()
class MMRunner(Runner):
    """mmengine's ``Runner`` plus the command-line semantics of the tools: ``--amp``, ``--resume``, CPU process
    groups, the random generator states in every checkpoint (:class:`RNGStateHook`, for exact resume), and testing
    a checkpoint in whatever form it was saved (full distiller, student-only, pruned).

    It is the default ``runner_type`` of the tools; a config picks another one (``runner_type = 'YOLORunner'``).
    """

    @classmethod
    def from_train_cfg(cls, cfg: Config, amp: bool = False, resume: Optional[str] = None) -> 'MMRunner':
        """Build the runner that trains ``cfg``.

        Args:
            cfg (Config): The runner config.
            amp (bool): Train with automatic mixed precision (the optimizer wrapper's AMP variant).
            resume (str, optional): ``'auto'`` for the latest checkpoint of the work dir, or a checkpoint path.

        Returns:
            MMRunner: The runner.

        Raises:
            ValueError: ``amp`` with an optimizer wrapper that has no AMP variant.
        """
        if amp:
            wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
            if wrapper in _AMP_WRAPPERS.values():
                print_log('AMP is already enabled in the config.', logger='current')
            elif wrapper in _AMP_WRAPPERS:
                cfg.optim_wrapper.type = _AMP_WRAPPERS[wrapper]
                cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
            else:
                raise ValueError(f'--amp: optim_wrapper.type {wrapper!r} has no AMP variant; expected one of '
                                 f'{sorted(_AMP_WRAPPERS)}')
        if resume is not None:
            cfg.resume = True
            cfg.load_from = None if resume == 'auto' else resume
        hooks = cfg.get('custom_hooks') or []
        if not any(hook.get('type') in ('RNGStateHook', RNGStateHook) for hook in hooks):
            cfg.custom_hooks = [*hooks, dict(type='RNGStateHook')]
        prepare_cpu_distributed(cfg)
        return cls.from_cfg(cfg)

    @classmethod
    def from_test_cfg(cls, cfg: Config, checkpoint: str, teacher: bool = False, pruned: bool = False,
                      show_dir: Optional[str] = None) -> 'MMRunner':
        """Build the runner that tests ``checkpoint`` with the test loop and evaluator of ``cfg``.

        Args:
            cfg (Config): A distiller config or the student's own config.
            checkpoint (str): A full distiller checkpoint or a student-only one.
            teacher (bool): Test the distiller's teacher instead of the student.
            pruned (bool): The checkpoint holds a pruned model: the layers take its shapes before it is loaded.
            show_dir (str, optional): Save every test image with its predictions drawn, by the mmdet/mmseg
                visualizer, under this folder (as mmdet's and mmseg's ``tools/test.py --show-dir``).

        Returns:
            MMRunner: The runner, with the checkpoint loaded.
        """
        cfg.load_from = None
        cfg.resume = False
        if teacher:
            if 'teacher_cfg' not in cfg.model:
                raise SystemExit('--teacher needs a distiller config (one with model.teacher_cfg)')
            cfg.model.test_teacher = True
        elif 'teacher_pretrained' in cfg.model:
            cfg.model.teacher_pretrained = None  # only the student is tested; the teacher file is not needed
        if show_dir:
            _draw_predictions(cfg, show_dir)
        prepare_cpu_distributed(cfg)
        runner = cls.from_cfg(cfg)
        if pruned:
            resize_for_checkpoint(runner.model, checkpoint)
        load_checkpoint_for_test(runner.model, checkpoint)
        return runner


def _draw_predictions(cfg: Config, show_dir: str) -> None:
    """Switch on the task's visualization hook for every test image, saving the drawings under ``show_dir``."""
    scope = cfg.get('default_scope')
    if scope not in _VISUALIZERS:  # a distiller config: the scope of the models it distils
        scope = getattr(DISTILLERS.get(cfg.model.get('type', '')), 'scope', None)
    if scope not in _VISUALIZERS:
        raise ValueError(f'--show-dir: cannot tell whether {cfg.model.get("type")!r} is an mmdet or mmseg model')
    hook_type, visualizer_type = _VISUALIZERS[scope]
    hook = dict(cfg.default_hooks.get('visualization') or dict(type=hook_type), draw=True, interval=1)
    if scope == 'mmdet':
        hook['test_out_dir'] = osp.abspath(show_dir)
    cfg.default_hooks['visualization'] = hook
    cfg.visualizer = dict(type=visualizer_type, name='visualizer', vis_backends=[dict(type='LocalVisBackend')],
                          save_dir=osp.abspath(show_dir))
