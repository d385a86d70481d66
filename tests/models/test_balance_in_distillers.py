"""Loss-scale balancing inside the mm distillers (#25): the distiller hands its task loss over and the balanced
method starts at the target ratio (the YOLO side: tests/yolo/test_yolo_balance.py)."""
from typing import Iterator

import pytest

from tests.helpers.kd_runner_helpers import build_tiny_seg_distiller, in_process_setup, seg_batch


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def test_mm_distiller_balances_against_its_task_loss() -> None:
    model = build_tiny_seg_distiller([dict(
        student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
        methods=[dict(type='MimicLoss', name='loss_mimic', weight=1000.0, balance=dict(ratio=0.5, iters=2))])])
    model.eval()  # no dropout, fixed BN statistics: the same batch gives the same losses every step
    model.distill_losses.train()
    batch = seg_batch()
    first = [model(*batch, mode='loss') for _ in range(2)]
    assert all(float(losses['loss_mimic']) == 0.0 for losses in first)
    losses = model(*batch, mode='loss')
    task = sum(float(v) for k, v in losses.items() if 'loss' in k and k != 'loss_mimic')
    assert float(losses['loss_mimic']) == pytest.approx(0.5 * task, rel=1e-3)
