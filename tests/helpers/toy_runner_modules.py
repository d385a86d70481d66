"""A small model and dataset registered in mmengine's registries, for Runner-level tests of the install.

Imported by test configs through ``custom_imports`` as ``tests.helpers.toy_runner_modules``; the tests put the
repository root on ``PYTHONPATH``.
"""
from typing import Dict, List, Optional

import torch
from mmengine.dataset import BaseDataset
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.registry import DATASETS, HOOKS, MODELS
from torch import nn


@MODELS.register_module()
class ToyConvNet(BaseModel):
    """Conv + BatchNorm + linear classifier: has buffers, so a resume must restore more than weights."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.cls = nn.Linear(8, 4)

    def forward(self, inputs: torch.Tensor, labels: torch.Tensor, mode: str = 'tensor', **_meta):
        logits = self.cls(self.body(inputs).flatten(1))
        if mode == 'loss':
            return {'loss_cls': nn.functional.cross_entropy(logits, labels)}
        return logits


@DATASETS.register_module()
class ToyImageDataset(BaseDataset):
    """Random images with labels drawn from a fixed generator (the same on every run)."""

    def __init__(self, num_samples: int = 32, **kwargs) -> None:
        self.num_samples = num_samples
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        gen = torch.Generator().manual_seed(0)
        images = torch.randn(self.num_samples, 3, 8, 8, generator=gen)
        labels = torch.randint(0, 4, (self.num_samples,), generator=gen)
        return [dict(inputs=images[i], labels=labels[i]) for i in range(self.num_samples)]


@HOOKS.register_module()
class HardExitHook(Hook):
    """Ends the process without any clean-up after a given epoch, as a killed job would."""

    priority = 'LOWEST'

    def __init__(self, after_epoch: int) -> None:
        self.after_epoch = after_epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 >= self.after_epoch:
            import os
            os._exit(3)


def toy_config(work_dir: str, max_epochs: int, extra_hooks: Optional[List[Dict]] = None) -> dict:
    """Config of a toy run with momentum SGD and a step LR schedule (both must be restored on resume)."""
    return dict(
        custom_imports=dict(imports=['tests.helpers.toy_runner_modules'], allow_failed_imports=False),
        model=dict(type='ToyConvNet'),
        work_dir=work_dir,
        train_dataloader=dict(
            dataset=dict(type='ToyImageDataset', num_samples=32),
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'), batch_size=4, num_workers=0),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1], gamma=0.5, by_epoch=True),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1),
                           logger=dict(type='LoggerHook', interval=2)),
        custom_hooks=extra_hooks or [],
        randomness=dict(seed=123, deterministic=True),
        log_level='WARNING',
    )
