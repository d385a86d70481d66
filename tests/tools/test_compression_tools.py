"""The compression tools on tiny models: tools/prune.py, tools/analysis/compare.py (YOLO mAP and the mmseg
evaluator), tools/test.py --pruned and tools/analysis/visualize_features.py."""
import json
from pathlib import Path

import pytest
import torch

from tests.helpers.kd_runner_helpers import make_digits, one_thread, run_tool, tail
from tests.helpers.tools_loader import load_tool
from tests.helpers.yolo_helpers import YAMLS, make_data, save_teacher

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def yolo(tmp_path_factory) -> dict:
    """Tiny detection data, an unpruned YOLOv8n checkpoint and its pruned copy made by tools/prune.py."""
    root = tmp_path_factory.mktemp('yolo_tools')
    data = make_data(root / 'data') / YAMLS['detect']
    original = save_teacher('yolov8n.yaml', data, root / 'yolov8n.pt')
    with one_thread():
        summary = load_tool('prune').main([str(original), '--ratio', '0.3', '--imgsz', '64',
                                           '--out', str(root / 'pruned.pt')])
    return dict(root=root, data=data, original=original, pruned=root / 'pruned.pt', summary=summary)


@pytest.fixture(scope='module')
def seg(tmp_path_factory) -> dict:
    """A quarter-width PSPNet-R18 runner config on tiny digits data, a checkpoint of it and its pruned copy."""
    root = tmp_path_factory.mktemp('seg_tools')
    data = make_digits(root / 'data')
    config = root / 'pspnet_tiny.py'
    config.write_text(f"""
_base_ = [{str(REPO / 'configs' / 'students' / 'pspnet_r18_digits.py')!r}]
model = dict(data_preprocessor=dict(size=(64, 64)), backbone=dict(stem_channels=16, base_channels=16),
             decode_head=dict(in_channels=128, channels=32, pool_scales=(1, 2)),
             auxiliary_head=dict(in_channels=64, channels=16))
data_root = {str(data) + '/'!r}
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
                 dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
test_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
val_dataloader = test_dataloader
""")
    from distiller.engine.mm_pruning import build_mm_model
    with one_thread():
        model = build_mm_model(str(config))
        model.init_weights()
        torch.save(dict(state_dict=model.state_dict(), meta={}), root / 'original.pth')
        summary = load_tool('prune').main([str(config), '--checkpoint', str(root / 'original.pth'), '--ratio', '0.3',
                                           '--imgsz', '64', '--out', str(root / 'pruned.pth')])
    return dict(root=root, config=config, original=root / 'original.pth', pruned=root / 'pruned.pth',
                summary=summary)


def test_prune_tool_prints_the_table_and_records_the_figures(yolo: dict, seg: dict, capsys) -> None:
    for run in (yolo, seg):
        summary = run['summary']
        assert summary['after']['params'] < 0.8 * summary['before']['params']
        assert summary['after']['flops'] < summary['before']['flops']
        assert json.loads(run['pruned'].with_suffix('.json').read_text()) == summary
    assert yolo['summary']['keep'] == ['model.22']
    assert seg['summary']['keep'] == ['decode_head.conv_seg', 'auxiliary_head.conv_seg']
    with one_thread():
        load_tool('prune').main([str(yolo['original']), '--ratio', '0.5', '--criterion', 'magnitude', '--global',
                                 '--imgsz', '64', '--out', str(yolo['root'] / 'global.pt')])
    out = capsys.readouterr().out
    assert '| original |' in out and '| pruned (magnitude, ratio 0.5) |' in out and 'kept modules: model.22' in out


def test_compare_yolo_table_has_params_flops_map_and_latency(yolo: dict, tmp_path: Path) -> None:
    with one_thread():
        rows = load_tool('analysis/compare').main([
            str(yolo['original']), str(yolo['pruned']), '--labels', 'yolov8n', 'pruned', '--data', str(yolo['data']),
            '--imgsz', '64', '--runs', '3', '--warmup', '1', '--out', str(tmp_path)])
    assert [r['label'] for r in rows] == ['yolov8n', 'pruned']
    assert rows[1]['params'] == yolo['summary']['after']['params'] and rows[1]['gflops'] < rows[0]['gflops']
    assert all(0.0 <= r['metrics']['mAP50-95'] <= 1.0 and r['latency_ms'] > 0 for r in rows)
    table = (tmp_path / 'compare.md').read_text()
    assert '| pruned |' in table and 'mAP50-95' in table and 'CPU latency ms' in table
    assert json.loads((tmp_path / 'compare.json').read_text()) == rows


def test_compare_mm_uses_the_config_evaluator_on_a_pruned_checkpoint(seg: dict, tmp_path: Path) -> None:
    with one_thread():
        rows = load_tool('analysis/compare').main([
            str(seg['original']), str(seg['pruned']), '--config', str(seg['config']), '--imgsz', '64',
            '--runs', '2', '--warmup', '1', '--out', str(tmp_path), '--name', 'seg'])
    assert rows[1]['params'] == seg['summary']['after']['params'] < rows[0]['params']
    assert all('mIoU' in r['metrics'] for r in rows)
    assert 'mIoU' in (tmp_path / 'seg.md').read_text()


def test_tools_test_evaluates_a_pruned_checkpoint_with_the_unpruned_config(seg: dict, tmp_path: Path) -> None:
    args = [str(REPO / 'tools' / 'test.py'), str(seg['config']), str(seg['pruned']), '--work-dir', str(tmp_path)]
    refused = run_tool(args)
    assert refused.returncode != 0 and 'size mismatch' in refused.stdout + refused.stderr
    proc = run_tool(args + ['--pruned'])
    assert proc.returncode == 0, tail(proc)
    assert 'mIoU' in proc.stdout + proc.stderr


def test_visualize_features_writes_one_png_per_distilled_level(yolo: dict, tmp_path: Path) -> None:
    config = tmp_path / 'cwd_pruned.py'
    config.write_text(f"""
train_args = dict(imgsz=64)
runner_type = 'YOLORunner'
model = dict(type='YOLODistiller', student={str(yolo['pruned'])!r}, teacher={str(yolo['original'])!r},
             distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', name='cwd_loss', tau=1.0, weight=3.0)])])
""")
    image = next((yolo['data'].parent / 'images' / 'val').glob('*.png'))
    with one_thread():
        results = load_tool('analysis/visualize_features').main([
            str(config), str(image), '--students', str(yolo['pruned']), str(yolo['original']),
            '--labels', 'pruned', 'unpruned', '--out', str(tmp_path / 'features')])
    pngs = sorted(p.name for p in (tmp_path / 'features').glob('*.png'))
    assert pngs == ['model_15.png', 'model_18.png', 'model_21.png']
    for figures in results.values():
        assert figures['unpruned']['cwd_per_channel'] == pytest.approx(0.0, abs=1e-6)  # the teacher itself
        assert figures['pruned']['kl_channel_mean'] >= 0.0 and 'cwd_per_channel' not in figures['pruned']
    assert json.loads((tmp_path / 'features' / 'features.json').read_text()) == results
