"""Saving the student alone, as a checkpoint the usual mmdet/mmseg tools load."""
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from .student_export import student_checkpoint


@HOOKS.register_module()
class StudentCheckpointHook(Hook):
    """Save ``student_final.pth`` at the end of training (and ``student_iter_N.pth`` / ``student_epoch_N.pth`` every
    ``interval``) with the keys of a plain model and the dataset meta, so ``init_detector`` / ``init_model`` and
    ``tools/test.py`` with the student's own config load it unchanged.

    Args:
        interval (int): Save every this many iterations or epochs; -1 only at the end.
        by_epoch (bool): Count ``interval`` in epochs.
    """

    priority = 'VERY_LOW'

    def __init__(self, interval: int = -1, by_epoch: bool = False) -> None:
        self.interval = interval
        self.by_epoch = by_epoch

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Save every ``interval`` iterations when counting by iteration."""
        if not self.by_epoch and self.interval > 0 and self.every_n_train_iters(runner, self.interval):
            self._save(runner, f'student_iter_{runner.iter + 1}.pth')

    def after_train_epoch(self, runner) -> None:
        """Save every ``interval`` epochs when counting by epoch."""
        if self.by_epoch and self.interval > 0 and self.every_n_epochs(runner, self.interval):
            self._save(runner, f'student_epoch_{runner.epoch + 1}.pth')

    def after_train(self, runner) -> None:
        """Save the final student."""
        self._save(runner, 'student_final.pth')

    @master_only
    def _save(self, runner, filename: str) -> Optional[str]:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        meta = dict(epoch=runner.epoch, iter=runner.iter, experiment_name=runner.experiment_name)
        dataset = getattr(runner.train_dataloader, 'dataset', None)
        if getattr(dataset, 'metainfo', None):
            meta['dataset_meta'] = dataset.metainfo
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        path = osp.join(runner.work_dir, filename)
        torch.save(student_checkpoint(dict(state_dict=state), meta), path)
        runner.logger.info(f'student-only checkpoint saved to {path}')
        return path
