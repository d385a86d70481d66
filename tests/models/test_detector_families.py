"""DetectionDistiller on the detector families beyond RetinaNet/FCOS/GFL: ATSS and the two-stage Faster/Mask R-CNN,
built from mmdet's own package configs (random init), one training step and a prediction each."""
from typing import Iterator

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData

from distiller.registry import DISTILLERS
from distiller.utils import load_config

from tests.helpers.kd_runner_helpers import in_process_setup


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def _model(path: str) -> dict:
    model = load_config(path).model
    model.backbone.init_cfg = None  # nothing can be downloaded here
    return model


def _batch(with_masks: bool, size: int = 64):
    inputs, samples = [], []
    for _ in range(2):
        inputs.append(torch.randint(0, 256, (3, size, size), dtype=torch.uint8))
        sample = DetDataSample()
        sample.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size), scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[5., 5., 30., 40.]]), labels=torch.tensor([3]))
        if with_masks:
            mask = np.zeros((1, size, size), dtype=np.uint8)
            mask[0, 5:40, 5:30] = 1
            sample.gt_instances.masks = BitmapMasks(mask, size, size)
        samples.append(sample)
    return inputs, samples


@pytest.mark.parametrize('config,head_module', [
    ('mmdet::atss/atss_r50_fpn_1x_coco.py', 'bbox_head.atss_cls'),
    ('mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 'rpn_head.rpn_cls'),
    ('mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', 'rpn_head.rpn_cls'),
])
def test_family_trains_a_step_and_predicts(config: str, head_module: str) -> None:
    torch.manual_seed(0)
    distill_cfg = [dict(student_module='neck', teacher_module='neck',
                        methods=[dict(type='MimicLoss', name='loss_fpn')]),
                   dict(student_module=head_module, teacher_module=head_module,
                        methods=[dict(type='MimicLoss', name='loss_head')])]
    model = DISTILLERS.build(dict(type='DetectionDistiller', teacher_cfg=_model(config), student_cfg=_model(config),
                                  distill_cfg=distill_cfg, calibrate_shape=(2, 3, 64, 64)))
    model.init_weights()
    model.train()
    inputs, samples = _batch(with_masks='mask_rcnn' in config)
    losses = model(inputs, samples, mode='loss')
    assert {'loss_fpn', 'loss_head'} <= losses.keys()
    assert all(torch.isfinite(losses[k]) and losses[k] > 0 for k in ('loss_fpn', 'loss_head'))
    total = sum(v for k, v in losses.items() if 'loss' in k and isinstance(v, torch.Tensor))
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    model.eval()
    with torch.no_grad():
        predictions = model(inputs, samples, mode='predict')
    assert len(predictions) == 2 and 'pred_instances' in predictions[0]
