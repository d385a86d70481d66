"""A YOLO entry on a module with several outputs of different widths: the Detect head's input (the three levels it
reads, 64/128/256 channels on YOLOv8n and 128/256/512 on YOLOv8s), one MGD per level."""
import pytest

from tests.helpers.yolo_helpers import YAMLS, Capture, distill, train_args

pytestmark = pytest.mark.slow

HEAD_INPUT_MGD = [dict(student_module='model.22', teacher_module='model.22', output_hook=False,
                       methods=[dict(type='MGDLoss', name='loss_mgd', normalize=True)])]


def test_head_input_levels_of_different_widths_get_one_mgd_each(yolo_data, teachers, tmp_path):
    capture = Capture()
    distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            distill_cfg=HEAD_INPUT_MGD, capture=capture)
    method = capture.trainer.distill_losses.methods['loss_mgd']
    assert [(m.student_channels, m.teacher_channels) for m in method.loss] == [(64, 128), (128, 256), (256, 512)]
    assert [n.norm.num_features for n in method.norm_student] == [64, 128, 256]
    assert 'loss_mgd' in capture.loss_names
    assert (tmp_path / 'run' / 'weights' / 'last.pt').is_file()
