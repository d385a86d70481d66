"""An interrupted YOLO distillation resumes from last.pt with its connectors, optimizer and epoch."""
import pytest
import torch

from distiller.yolo.trainer import STATE_FILE

from tests.helpers.yolo_helpers import YAMLS, Capture, distill, train_args

pytestmark = pytest.mark.slow


class Interrupt(Exception):
    """Stands in for a lost job."""


def test_resume_continues_with_saved_connectors(yolo_data, teachers, tmp_path):
    from distiller.yolo import YOLODistiller

    def stop_after_first_save(trainer):
        if trainer.epoch == 0:
            raise Interrupt

    run = tmp_path / 'run'
    args = train_args(yolo_data / YAMLS['detect'], epochs=2)
    distiller = YOLODistiller('yolov8n.yaml', str(teachers['detect']),
                              [dict(methods=[dict(type='MGDLoss', name='loss_mgd', alpha_mgd=2e-5)])])
    with pytest.raises(Interrupt):
        distiller.train(args, save_dir=str(run), callbacks={'on_model_save': stop_after_first_save})
    saved = torch.load(run / 'weights' / STATE_FILE, weights_only=True)['distill_losses']
    assert any('generation' in k for k in saved)

    capture = Capture()
    distill('yolov8n.yaml', str(teachers['detect']), args, run, resume=str(run / 'weights' / 'last.pt'),
            capture=capture, distill_cfg=[dict(methods=[dict(type='MGDLoss', name='loss_mgd', alpha_mgd=2e-5)])])
    assert capture.start_epoch == 1
    assert saved.keys() == capture.start_state.keys()
    assert all(torch.equal(saved[k], capture.start_state[k]) for k in saved)
    rows = (run / 'results.csv').read_text().strip().splitlines()
    assert len(rows) == 3  # header + epoch 1 (before the interruption) + epoch 2 (after resuming)


def test_resume_of_a_missing_checkpoint_is_reported(tmp_path, yolo_data, teachers):
    with pytest.raises(FileNotFoundError, match='resume: checkpoint not found: .*nothing.pt'):
        distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path,
                resume=str(tmp_path / 'nothing.pt'))
