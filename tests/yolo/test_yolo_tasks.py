"""Distillation of YOLOv8s -> YOLOv8n in Ultralytics' trainer for detect, segment and pose."""
import pickletools
import zipfile

import pytest
import torch

from distiller.yolo.trainer import STATE_FILE

from tests.helpers.yolo_helpers import SUFFIX, YAMLS, Capture, distill, train_args

pytestmark = pytest.mark.slow


def _pickled_modules(path) -> set:
    """The top-level packages of every class a torch checkpoint needs to load (its pickle's GLOBAL opcodes)."""
    with zipfile.ZipFile(path) as archive:
        stream = archive.read(next(n for n in archive.namelist() if n.endswith('data.pkl')))
    return {str(arg).split()[0].split('.')[0] for op, arg, _ in pickletools.genops(stream) if op.name == 'GLOBAL'}


@pytest.mark.parametrize('task', ['detect', 'segment', 'pose'])
def test_student_trains_teacher_untouched_checkpoint_is_plain(task, yolo_data, teachers, tmp_path):
    from ultralytics import YOLO
    from ultralytics.nn.tasks import load_checkpoint
    capture = Capture()
    metrics = distill(f'yolov8n{SUFFIX[task]}.yaml', str(teachers[task]), train_args(yolo_data / YAMLS[task]),
                      tmp_path / 'run', capture=capture)
    trainer = capture.trainer
    assert metrics is not None
    assert 'loss_cwd' in capture.loss_names

    reference, _ = load_checkpoint(str(teachers[task]))
    teacher_state = trainer.teacher.state_dict()
    assert all(torch.equal(teacher_state[k].cpu(), v.float()) for k, v in reference.state_dict().items())
    assert not trainer.teacher.training and not any(p.requires_grad for p in trainer.teacher.parameters())

    optimized = {id(p) for group in trainer.optimizer.param_groups for p in group['params']}
    assert not optimized & {id(p) for p in trainer.teacher.parameters()}
    assert {id(p) for p in trainer.distill_losses.parameters()} <= optimized
    student = trainer.model
    assert {id(p) for p in student.parameters() if p.requires_grad} <= optimized

    weights = tmp_path / 'run' / 'weights'
    for name in ('best.pt', 'last.pt'):
        modules = _pickled_modules(weights / name)
        assert 'ultralytics' in modules and 'distiller' not in modules
    assert (weights / STATE_FILE).is_file()

    yolo = YOLO(str(weights / 'best.pt'))
    assert yolo.task == task
    val = yolo.val(data=str(yolo_data / YAMLS[task]), imgsz=64, batch=4, device='cpu', plots=False,
                   save_dir=str(tmp_path / 'val'))
    assert 'metrics/mAP50-95(B)' in val.results_dict
    results = yolo.predict(torch.zeros(1, 3, 64, 64), verbose=False)
    assert len(results) == 1


def test_student_weights_change_and_export_to_onnx(yolo_data, teachers, tmp_path):
    from ultralytics import YOLO
    capture = Capture()
    distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run',
            capture=capture)
    trained = capture.trainer.model.state_dict()
    changed = [k for k, v in capture.student_start.items() if v.is_floating_point() and not torch.equal(v, trained[k])]
    assert len(changed) > len(trained) // 2
    onnx_path = YOLO(str(tmp_path / 'run' / 'weights' / 'best.pt')).export(format='onnx', imgsz=64)
    import onnx
    onnx.checker.check_model(onnx.load(onnx_path))
