"""Wrong layer names, channel mismatches and bad teachers fail with messages that say what to fix."""
import pytest

from distiller.core import DistillConfigError
from distiller.yolo import expand_distill_cfg, head_input_layers

from tests.helpers.yolo_helpers import YAMLS, distill, train_args


def _models():
    from ultralytics import YOLO
    return YOLO('yolov8n.yaml').model, YOLO('yolo11n.yaml').model, YOLO('yolov8s.yaml').model


def test_default_layers_come_from_the_head_inputs():
    v8n, v11n, v8s = _models()
    assert head_input_layers(v8n) == [15, 18, 21]
    assert head_input_layers(v11n) == [16, 19, 22]
    cfg, report = expand_distill_cfg([dict(methods=[dict(type='MimicLoss')])], v11n, v8s)
    assert [(e['student_module'], e['teacher_module']) for e in cfg] == [
        ('model.16', 'model.15'), ('model.19', 'model.18'), ('model.22', 'model.21')]
    assert [m['name'] for e in cfg for m in e['methods']] == ['loss_mimic_loss_0', 'loss_mimic_loss_1',
                                                              'loss_mimic_loss_2']
    assert set(report.values()) == {'loss_mimic_loss'}


def test_balanced_entry_splits_its_ratio_over_the_head_levels():
    """Equal shares by default; ``shares='cells'`` by the levels' cells (strides 8, 16, 32: 16 : 4 : 1)."""
    v8n, _, v8s = _models()
    for shares, expected in ((None, [0.7 / 3] * 3), ('cells', [0.7 * 16 / 21, 0.7 * 4 / 21, 0.7 / 21])):
        balance = dict(ratio=0.7, iters=5, **({'shares': shares} if shares else {}))
        cfg, _ = expand_distill_cfg([dict(methods=[dict(type='MimicLoss', balance=balance)])], v8n, v8s)
        levels = [e['methods'][0]['balance'] for e in cfg]
        assert [b['ratio'] for b in levels] == pytest.approx(expected)
        assert all(b['iters'] == 5 and b['shares'] == 'equal' for b in levels)  # each expanded method: one level


def test_one_module_name_without_the_other_is_rejected():
    v8n, _, v8s = _models()
    with pytest.raises(DistillConfigError, match=r'distill_cfg\[0\]: give both student_module and teacher_module'):
        expand_distill_cfg([dict(student_module='model.15', methods=[dict(type='MimicLoss')])], v8n, v8s)


def test_model_without_a_detect_head_is_reported():
    from torch import nn
    v8n, _, _ = _models()
    with pytest.raises(DistillConfigError, match=r'the teacher \(Sequential\) has no Detect/Segment/Pose head'):
        expand_distill_cfg([dict(methods=[dict(type='MimicLoss')])], v8n, nn.Sequential(nn.Conv2d(3, 3, 1)))


@pytest.mark.slow
def test_wrong_layer_name_lists_the_closest_layers(yolo_data, teachers, tmp_path):
    cfg = [dict(student_module='model.99', teacher_module='model.15', methods=[dict(type='MimicLoss')])]
    with pytest.raises(DistillConfigError, match=r"distill_cfg\[0\].student_module.*'model.99'.*model\.9"):
        distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path, cfg)


@pytest.mark.slow
def test_channel_mismatch_without_connector_shows_both_shapes(yolo_data, teachers, tmp_path):
    cfg = [dict(student_module='model.15', teacher_module='model.15',
                methods=[dict(type='MimicLoss', align=False)])]
    with pytest.raises(DistillConfigError, match=r'channel mismatch \(student \(2, 64, 8, 8\), teacher \(2, 128, 8, '
                                                 r'8\)\) that no connector resolves'):
        distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path, cfg)


@pytest.mark.slow
def test_missing_teacher_checkpoint_is_reported(yolo_data, tmp_path):
    with pytest.raises(FileNotFoundError, match=r'teacher: checkpoint file not found: .*absent.pt'):
        distill('yolov8n.yaml', str(tmp_path / 'absent.pt'), train_args(yolo_data / YAMLS['detect']), tmp_path)
    with pytest.raises(ValueError, match=r"teacher: expected a .pt checkpoint or a model .yaml, got 'teacher.onnx'"):
        distill('yolov8n.yaml', 'teacher.onnx', train_args(yolo_data / YAMLS['detect']), tmp_path)


@pytest.mark.slow
def test_builtin_distill_model_argument_is_refused(yolo_data, teachers, tmp_path):
    args = train_args(yolo_data / YAMLS['detect'], distill_model=str(teachers['detect']))
    with pytest.raises(ValueError, match="distill_model is Ultralytics' built-in distillation"):
        distill('yolov8n.yaml', str(teachers['detect']), args, tmp_path)


def test_loss_inputs_give_pixel_xyxy_boxes_per_image():
    """FGD's gt_bboxes/img_shapes from an Ultralytics batch (normalised xywh boxes, batch_idx)."""
    import torch
    from distiller.yolo.criterion import yolo_loss_inputs
    batch = dict(img=torch.zeros(2, 3, 40, 80), batch_idx=torch.tensor([1.0, 0.0, 1.0]),
                 bboxes=torch.tensor([[0.5, 0.5, 0.5, 0.5], [0.25, 0.25, 0.1, 0.2], [0.9, 0.1, 0.2, 0.2]]))
    extra = yolo_loss_inputs(batch, {'gt_bboxes', 'img_shapes'})
    assert extra['img_shapes'] == [(40, 80), (40, 80)]
    torch.testing.assert_close(extra['gt_bboxes'][0], torch.tensor([[16.0, 6.0, 24.0, 14.0]]))
    torch.testing.assert_close(extra['gt_bboxes'][1], torch.tensor([[20.0, 10.0, 60.0, 30.0], [64.0, 0.0, 80.0, 8.0]]))
    assert yolo_loss_inputs(batch, set()) == {}
