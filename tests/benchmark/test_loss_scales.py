"""Loss scales read back from run logs: the task loss and each distillation loss's share of it, start and end."""
import json
from pathlib import Path

import pytest

from distiller.benchmark.loss_scales import loss_scale_markdown, read_run, summarize_run
from tests.helpers.tools_loader import load_tool

CONFIG = """model = dict(type='SegmentationDistiller', distill_cfg=[
    dict(student_module='backbone', teacher_module='backbone',
         methods=[dict(type='MimicLoss', name='loss_mimic', balance=dict(ratio=0.5, iters=2))]),
    dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
         methods=[dict(type='ChannelWiseDivergence')])])
"""


def _mm_run(root: Path, rows: list, config: str = CONFIG) -> Path:
    (root / '20260101_000000' / 'vis_data').mkdir(parents=True)
    (root / 'cfg.py').write_text(config)
    (root / '20260101_000000' / 'vis_data' / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in rows))
    return root


def _mm_row(step: int, ce: float, aux: float, mimic: float, cwd: float) -> dict:
    # mmseg-style task keys (with a dot), the balanced method's per-level keys, and the total.
    return {'lr': 0.01, 'decode.loss_ce': ce, 'aux.loss_ce': aux, 'loss_mimic': mimic, 'loss_mimic.level0': mimic / 2,
            'loss_mimic.level1': mimic / 2, 'loss_channel_wise_divergence': cwd, 'loss': ce + aux + mimic + cwd,
            'iter': step, 'step': step}


def test_mm_run_ratios_against_hand_computed_values(tmp_path: Path) -> None:
    rows = [_mm_row(10 * (i + 1), 2.0 - 0.1 * i, 0.5, 1.0 + 0.1 * i, 0.25) for i in range(10)]
    rows.insert(5, {'mIoU': 30.0, 'step': 50})  # a validation row: skipped
    run = read_run(_mm_run(tmp_path / 'mmseg_run', rows))
    assert [r['step'] for r in run] == [10 * (i + 1) for i in range(10)]
    summary = summarize_run(run, window=0.2)
    # Start: rows 0-1, task (2.5 + 2.4) / 2 = 2.45, mimic (1.0 + 1.1) / 2 = 1.05, cwd 0.25.
    # End: rows 8-9, task (1.7 + 1.6) / 2 = 1.65, mimic (1.8 + 1.9) / 2 = 1.85.
    assert summary['task'] == pytest.approx((2.45, 1.65))
    assert summary['terms']['loss_mimic'] == pytest.approx((1.05 / 2.45, 1.85 / 1.65))
    assert summary['terms']['loss_channel_wise_divergence'] == pytest.approx((0.25 / 2.45, 0.25 / 1.65))
    assert summary['ratio'] == pytest.approx((1.3 / 2.45, 2.1 / 1.65))
    assert summary['steps'] == 100
    table = loss_scale_markdown({'seg': summary})
    assert '| seg | 100 | 2.450 -> 1.650 | 0.53 -> 1.27 | loss_mimic 0.43 -> 1.12, loss_channel_wise_div' in table


def test_yolo_run_ratios_and_plain_run(tmp_path: Path) -> None:
    run_dir = tmp_path / 'yolo_run'
    run_dir.mkdir()
    # Older Ultralytics releases pad the header names with spaces; an online teacher logs its own loss.
    (run_dir / 'results.csv').write_text(
        '        epoch,   train/box_loss,   train/cls_loss,   train/dfl_loss,   train/cwd_loss,  train/teacher_loss,'
        'metrics/mAP50-95(B),val/box_loss\n'
        '1,3.0,4.0,1.0,0.8,9.0,0.0,3.0\n'
        '2,2.0,2.0,1.0,1.0,9.0,0.1,2.0\n')
    summary = summarize_run(read_run(run_dir), window=0.5)
    assert summary['task'] == pytest.approx((8.0, 5.0)) and summary['steps'] == 2
    assert list(summary['terms']) == ['cwd_loss'] and summary['terms']['cwd_loss'] == pytest.approx((0.1, 0.2))
    plain = summarize_run(read_run(_mm_run(tmp_path / 'plain', [_mm_row(10, 1.0, 0.0, 0.0, 0.0)], 'model = {}\n')))
    assert plain['ratio'] == (0, 0) and plain['terms'] == {}
    assert loss_scale_markdown({'plain': plain}).endswith('| 0.00 -> 0.00 | - |')


def test_unreadable_runs_and_bad_window_fail_with_one_line(tmp_path: Path, capsys) -> None:
    tool = load_tool('analysis/loss_scales')
    assert tool.main([str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (f'loss_scales: {tmp_path}: no results.csv (Ultralytics) or '
                                               '*/vis_data/scalars.json (mmengine)')
    no_config = tmp_path / 'no_config'
    _mm_run(no_config, [_mm_row(10, 1.0, 0.0, 0.5, 0.0)]).joinpath('cfg.py').unlink()
    assert tool.main([str(no_config)]) == 1
    assert 'no dumped config (*.py) to read the distillation loss names from' in capsys.readouterr().err
    validation_only = _mm_run(tmp_path / 'val_only', [{'mIoU': 1.0, 'step': 10}])
    assert tool.main([str(validation_only)]) == 1
    assert capsys.readouterr().err.strip() == f'loss_scales: {validation_only}: the log has no training rows'
    assert tool.main([str(validation_only), '--window', '0']) == 1
    assert capsys.readouterr().err.strip() == 'loss_scales: --window must be in (0, 0.5], got 0.0'
