"""Loss-scale balancing in YOLO distillation (#25): calibrated per head level over the first iteration, the weights
saved beside last.pt for resume."""
import pytest
import torch

from tests.helpers.yolo_helpers import YAMLS, Capture, distill, train_args


@pytest.mark.slow
def test_yolo_distillation_calibrates_and_saves_the_weights(yolo_data, teachers, tmp_path) -> None:
    capture = Capture()
    cfg = [dict(methods=[dict(type='MimicLoss', name='loss_mim', balance=dict(ratio=0.3, iters=1))])]
    distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            distill_cfg=cfg, capture=capture)
    methods = capture.trainer.distill_losses.methods
    balancers = [methods[f'loss_mim_{level}'].balancer for level in range(3)]  # one entry per head level
    assert all(b.done for b in balancers)
    assert [b.ratio for b in balancers] == pytest.approx([0.1, 0.1, 0.1])  # the levels share the 0.3 target
    state = torch.load(tmp_path / 'run' / 'weights' / 'distill_state.pt', map_location='cpu', weights_only=True)
    for level, balancer in enumerate(balancers):
        assert bool(state['distill_losses'][f'methods.loss_mim_{level}.balancer.calibrated'])
        torch.testing.assert_close(state['distill_losses'][f'methods.loss_mim_{level}.balancer.multipliers'],
                                   balancer.multipliers.cpu())
