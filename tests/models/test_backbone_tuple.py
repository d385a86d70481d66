"""Distilling a whole ResNet backbone tuple: RetinaNet R50 teacher -> R18 student, four stages that differ in
channels within each model (64..512 / 256..2048) and between them (#20)."""
import copy
from pathlib import Path
from typing import Iterator

import pytest
import torch
from mmengine.config import Config

from distiller.models import DetectionDistiller
from tests.helpers.kd_runner_helpers import in_process_setup
from tests.models.test_detection_distiller import CALIBRATE, STUDENT_CFG, batch, total

BACKBONE = [dict(student_module='backbone', teacher_module='backbone',
                 methods=[dict(type='MGDLoss', name='loss_mgd', alpha_mgd=2e-5),
                          dict(type='ChannelWiseDivergence', name='loss_cwd', tau=4.0)])]


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def r50_teacher() -> dict:
    model = copy.deepcopy(Config.fromfile(STUDENT_CFG).model.to_dict())
    model['backbone']['depth'] = 50
    model['neck']['in_channels'] = [256, 512, 1024, 2048]
    return model


def build() -> DetectionDistiller:
    torch.manual_seed(0)
    model = DetectionDistiller(teacher_cfg=r50_teacher(), student_cfg=STUDENT_CFG, distill_cfg=BACKBONE,
                               calibrate_shape=CALIBRATE)
    model.init_weights()
    return model.train()


def test_every_stage_gets_its_own_connectors_and_trains() -> None:
    model = build()
    mgd, cwd = model.distill_losses.methods['loss_mgd'], model.distill_losses.methods['loss_cwd']
    widths = [(64, 256), (128, 512), (256, 1024), (512, 2048)]
    assert [(m.student_channels, m.teacher_channels) for m in mgd.loss] == widths
    assert [(a.conv.in_channels, a.conv.out_channels) for a in cwd.align] == widths
    losses = model(*batch(), mode='loss')
    assert torch.isfinite(losses['loss_mgd']) and torch.isfinite(losses['loss_cwd'])
    total(losses).backward()
    assert all(p.grad is not None for m in mgd.loss for p in m.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())
    levels = model.distill_losses.level_losses()
    assert sorted(k for k in levels if k.startswith('loss_cwd')) == [f'loss_cwd.level{i}' for i in range(4)]


def test_per_stage_modules_round_trip_through_the_distiller_state_dict(tmp_path: Path) -> None:
    trained = build()
    optimizer = torch.optim.SGD(trained.distill_losses.parameters(), lr=0.1)
    total(trained(*batch(), mode='loss')).backward()
    optimizer.step()
    torch.save(dict(state_dict=trained.state_dict()), tmp_path / 'ckpt.pth')
    resumed = build()
    resumed.load_state_dict(torch.load(tmp_path / 'ckpt.pth', weights_only=True)['state_dict'], strict=True)
    saved = trained.state_dict()
    keys = [k for k in saved if k.startswith('distill_losses.methods.loss_mgd.loss.3.')]
    assert keys
    for key, value in resumed.state_dict().items():
        assert torch.equal(value, saved[key]), key
