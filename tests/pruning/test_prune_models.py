"""Pruning real YOLO, mmseg and mmdet models: smaller, still runnable, and their checkpoints rebuild them."""
from pathlib import Path

import pytest
import torch
from torch import nn

from distiller.engine.mm_pruning import build_mm_model, prune_mm_model, save_mm_checkpoint
from distiller.pruning import PruneSettings, count_flops, load_pruned_checkpoint
from distiller.yolo.pruning import load_yolo_model, prune_yolo_model

from tests.helpers.kd_runner_helpers import one_thread, tiny_pspnet

REPO = Path(__file__).resolve().parents[2]


def head_outputs(model: nn.Module, head: str):
    """Widths of a Detect head's final box and class convs, per level."""
    detect = model.get_submodule(head)
    return [branch[-1].out_channels for branch in (*detect.cv2, *detect.cv3)]


@pytest.mark.parametrize('yaml,global_pruning', [('yolov8n.yaml', False), ('yolo11n.yaml', True)])
def test_yolo_pruning_shrinks_the_model_and_keeps_the_head(yaml: str, global_pruning: bool) -> None:
    model = load_yolo_model(yaml)
    head = f'model.{len(model.model) - 1}'
    widths = head_outputs(model, head)
    with one_thread():
        report = prune_yolo_model(model, PruneSettings(ratio=0.3, criterion='magnitude', global_pruning=global_pruning),
                                  imgsz=64)
        out = model.eval()(torch.zeros(1, 3, 64, 64))[0]
    assert report.after.params < 0.8 * report.before.params
    assert report.after.flops < 0.8 * report.before.flops
    assert report.after.channels < report.before.channels
    assert head in report.keep and report.removed_channels > 0
    assert ('model.10' in report.keep) == (yaml == 'yolo11n.yaml')  # C2PSA attention is kept by default
    assert out.shape[:2] == (1, 84)  # 4 box coordinates + 80 classes, as before
    assert head_outputs(model, head) == widths
    assert model.pruned['ratio'] == 0.3 and model.pruned['after']['params'] == report.after.params


def test_pruned_yolo_checkpoint_is_a_plain_ultralytics_checkpoint(pruned_yolov8n: Path, yolov8n_ckpt: Path) -> None:
    from ultralytics import YOLO
    checkpoint = torch.load(pruned_yolov8n, map_location='cpu', weights_only=False)
    assert checkpoint['pruning']['criterion'] == 'magnitude'
    model = YOLO(str(pruned_yolov8n))
    assert {type(m).__module__.split('.')[0] for m in model.model.modules()} <= {'ultralytics', 'torch'}
    unpruned = sum(p.numel() for p in YOLO(str(yolov8n_ckpt)).model.parameters())
    assert sum(p.numel() for p in model.model.parameters()) < 0.8 * unpruned
    with one_thread():
        results = model.predict(torch.zeros(1, 3, 64, 64), verbose=False)
    assert len(results) == 1


def write_tiny_seg_config(path: Path) -> Path:
    """A model config of the tiny PSPNet, with an auxiliary head (traced through its training-only branch)."""
    model = tiny_pspnet()
    model['auxiliary_head'] = dict(type='FCNHead', in_channels=64, in_index=2, channels=16, num_convs=1,
                                   concat_input=False, num_classes=11, norm_cfg=dict(type='BN', requires_grad=True),
                                   align_corners=False, loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4))
    path.write_text(f"default_scope = 'mmseg'\nmodel = {model!r}\n")
    return path


def test_mmseg_pruning_round_trips_through_its_checkpoint(tmp_path: Path) -> None:
    config = str(write_tiny_seg_config(tmp_path / 'tiny_psp.py'))
    with one_thread():
        model = build_mm_model(config)
        report = prune_mm_model(model, PruneSettings(ratio=0.4), input_shape=(1, 3, 32, 32))
        inputs = torch.rand(1, 3, 32, 32)
        out = model(inputs)
        aux = model.auxiliary_head.forward(model.extract_feat(inputs))
        save_mm_checkpoint(model, str(tmp_path / 'pruned.pth'), report)
        rebuilt = build_mm_model(config)
        meta = load_pruned_checkpoint(rebuilt, str(tmp_path / 'pruned.pth'))
        again = rebuilt.eval()(inputs)
    assert report.keep == ['decode_head.conv_seg', 'auxiliary_head.conv_seg']
    assert report.after.params < 0.6 * report.before.params and report.after.flops < 0.6 * report.before.flops
    assert out.shape == (1, 11, 4, 4) and aux.shape == (1, 11, 4, 4)
    assert meta['pruning']['after']['params'] == report.after.params
    assert torch.allclose(out, again, atol=1e-6)
    assert rebuilt.is_init  # a Runner's init_weights will not overwrite the loaded weights
    assert rebuilt.backbone.layer1[0].conv1.out_channels == model.backbone.layer1[0].conv1.out_channels < 16


def test_mmdet_retinanet_pruning_keeps_the_head_and_runs(tmp_path: Path) -> None:
    config = str(REPO / 'configs' / 'students' / 'retinanet_r18_fpn_digits.py')
    with one_thread():
        model = build_mm_model(config)
        inputs = torch.zeros(1, 3, 64, 64)
        before = [t.shape for t in model(inputs)[0]]
        report = prune_mm_model(model, PruneSettings(ratio=0.3, round_to=8), input_shape=(1, 3, 64, 64))
        after = [t.shape for t in model(inputs)[0]]
        flops = count_flops(model, inputs)
    assert before == after  # same class scores per level
    assert report.keep == ['bbox_head'] and report.after.params < 0.8 * report.before.params
    assert flops == report.after.flops
    assert all(m.out_channels % 8 == 0 for name, m in model.named_modules()
               if isinstance(m, nn.Conv2d) and name.startswith('backbone'))
