"""The recovery step: a pruned model trains as a distillation student of its unpruned self, and what it saves
still has the pruned shape."""
from pathlib import Path

import pytest
import torch

from distiller.engine.mm_pruning import build_mm_model, prune_mm_model, save_mm_checkpoint
from distiller.pruning import PruneSettings, load_pruned_checkpoint
from distiller.yolo import YOLOTraining
from distiller.registry import DISTILLERS, YOLO_RUNS

from tests.helpers.kd_runner_helpers import in_process_setup, seg_batch
from tests.helpers.yolo_helpers import IMG, distill, train_args
from tests.pruning.test_prune_models import write_tiny_seg_config

pytestmark = pytest.mark.slow


def n_params(model) -> int:
    """Number of parameters."""
    return sum(p.numel() for p in model.parameters())


def test_pruned_yolo_student_distils_from_its_unpruned_self(pruned_yolov8n: Path, yolov8n_ckpt: Path,
                                                            yolo_detect_data: Path, tmp_path: Path) -> None:
    from ultralytics import YOLO
    pruned = n_params(YOLO(str(pruned_yolov8n)).model)
    distill(str(pruned_yolov8n), str(yolov8n_ckpt), train_args(yolo_detect_data), tmp_path / 'run')
    best = YOLO(str(tmp_path / 'run' / 'weights' / 'best.pt'))
    assert n_params(best.model) == pruned  # trained in its pruned shape, not rebuilt from the yaml
    metrics = best.val(data=str(yolo_detect_data), imgsz=IMG, batch=4, device='cpu', workers=0, plots=False,
                       verbose=False, save_dir=str(tmp_path / 'val'))
    assert 0.0 <= metrics.box.map <= 1.0


def test_pruned_yolo_fine_tunes_with_bn_sparsity_in_its_pruned_shape(pruned_yolov8n: Path, yolo_detect_data: Path,
                                                                     tmp_path: Path) -> None:
    from ultralytics import YOLO
    runner = YOLO_RUNS.build(dict(type='YOLOTraining', model=str(pruned_yolov8n), bn_sparsity=1e-3))
    assert isinstance(runner, YOLOTraining)
    runner.train(train_args(yolo_detect_data), save_dir=str(tmp_path / 'run'))
    last = YOLO(str(tmp_path / 'run' / 'weights' / 'last.pt'))
    assert n_params(last.model) == n_params(YOLO(str(pruned_yolov8n)).model)
    with pytest.raises(ValueError, match='bn_sparsity: expected a non-negative weight'):
        YOLOTraining('yolov8n.yaml', bn_sparsity=-1)


def test_pruned_mm_student_trains_under_its_unpruned_teacher_and_round_trips(tmp_path: Path) -> None:
    from mmengine.optim import build_optim_wrapper
    config = str(write_tiny_seg_config(tmp_path / 'tiny_psp.py'))
    with in_process_setup():
        teacher = build_mm_model(config)
        torch.save(dict(state_dict=teacher.state_dict(), meta={}), tmp_path / 'teacher.pth')
        student = build_mm_model(config, str(tmp_path / 'teacher.pth'))
        report = prune_mm_model(student, PruneSettings(ratio=0.5), input_shape=(1, 3, 32, 32))
        save_mm_checkpoint(student, str(tmp_path / 'pruned.pth'), report)
        model = DISTILLERS.build(dict(
            type='SegmentationDistiller', teacher_cfg=config, student_cfg=config,
            teacher_pretrained=str(tmp_path / 'teacher.pth'), student_pruned=str(tmp_path / 'pruned.pth'),
            distill_cfg=[dict(student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
                              methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=1.0)])],
            calibrate_shape=(2, 3, 32, 32)))
        model.init_weights()  # the Runner calls it; it must not undo the pruned student's weights
        assert all(torch.equal(v, student.state_dict()[k]) for k, v in model.student.state_dict().items())
        wrapper = build_optim_wrapper(model, dict(constructor='DistillerOptimWrapperConstructor',
                                                  type='BNSparsityOptimWrapper', sparsity=1e-4,
                                                  optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))
        model.train()
        for step in range(3):
            inputs, samples = seg_batch(size=32, seed=step)
            losses = model.train_step(dict(inputs=inputs, data_samples=samples), wrapper)
        state = {k: v.clone() for k, v in model.student.state_dict().items()}
        torch.save(dict(state_dict=state, meta={}), tmp_path / 'student_final.pth')
        rebuilt = build_mm_model(config)
        load_pruned_checkpoint(rebuilt, str(tmp_path / 'student_final.pth'))
    assert {'loss_cwd', 'decode.loss_ce'} <= set(losses) and torch.isfinite(losses['loss_cwd'])
    assert n_params(model.student) == report.after.params < n_params(model.teacher)
    assert not torch.equal(state['backbone.stem.0.weight'], student.state_dict()['backbone.stem.0.weight'])
    assert all(torch.equal(v, rebuilt.state_dict()[k]) for k, v in state.items())
