"""SyncBN layers from mmseg/mmdet configs train in one CPU process once reverted."""
import pytest
import torch
from mmengine.registry import DefaultScope
from torch import nn

from distiller.compat import revert_sync_bn_if_single_process
from distiller.registry import DISTILLERS, register_all_modules
from distiller.utils import load_config


@pytest.fixture(scope='module', autouse=True)
def registered() -> None:
    register_all_modules(init_default_scope=False)


def _count(model: nn.Module, cls: type) -> int:
    return sum(isinstance(m, cls) for m in model.modules())


def test_mmseg_pspnet_from_package_config_trains_on_cpu() -> None:
    cfg = load_config('mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py').model
    assert cfg.backbone.norm_cfg.type == 'SyncBN'
    cfg.data_preprocessor = None
    cfg.backbone.init_cfg = None
    cfg.pretrained = None
    with DefaultScope.overwrite_default_scope('mmseg'):  # as the config's default_scope would (whatever ran before)
        model = DISTILLERS.build(dict(cfg, type='mmseg.' + cfg.type))
    assert _count(model, nn.SyncBatchNorm) > 0
    model = revert_sync_bn_if_single_process(model)
    assert _count(model, nn.SyncBatchNorm) == 0 and _count(model, nn.modules.batchnorm._BatchNorm) > 0
    model.train()
    from mmseg.structures import SegDataSample
    from mmengine.structures import PixelData
    samples = []
    for _ in range(2):
        sample = SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 19, (1, 64, 64))))
        sample.set_metainfo(dict(img_shape=(64, 64), pad_shape=(64, 64), ori_shape=(64, 64)))
        samples.append(sample)
    losses = model.loss(torch.randn(2, 3, 64, 64), samples)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.backbone.stem[0].weight.grad is not None


def test_keeps_weights_and_statistics() -> None:
    sync = nn.SyncBatchNorm(4)
    with torch.no_grad():
        sync.weight.uniform_()
        sync.running_mean.uniform_()
    model = revert_sync_bn_if_single_process(nn.Sequential(nn.Conv2d(3, 4, 1), sync))
    bn = model[1]
    assert not isinstance(bn, nn.SyncBatchNorm)
    assert torch.equal(bn.weight, sync.weight) and torch.equal(bn.running_mean, sync.running_mean)
