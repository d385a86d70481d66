"""The efficacy benchmark's arithmetic: means, seed spreads, deltas, the verdict against the spread, the table."""
import pytest

from distiller.benchmark.efficacy_table import PLAIN, suite_markdown, summarize_suite


def _runs(method: str, values, times=(10.0, 10.0)):
    return [dict(method=method, seed=seed, value=value, train_s=t) for seed, value, t in zip((0, 1), values, times)]


def test_rows_hold_mean_spread_delta_and_verdict() -> None:
    runs = (_runs(PLAIN, [0.30, 0.34]) + _runs('CWD', [0.40, 0.42], (20.0, 16.0))
            + _runs('MGD', [0.33, 0.37]) + _runs('KD', [0.25, 0.45]))
    rows = summarize_suite(runs, teacher=0.5)
    assert [r['method'] for r in rows] == [PLAIN, 'CWD', 'MGD', 'KD']
    plain, cwd, mgd, kd = rows
    assert plain['mean'] == pytest.approx(0.32) and plain['spread'] == pytest.approx(0.04)
    assert plain['beats_plain'] is None and plain['teacher'] == 0.5
    # CWD: mean 0.41, delta 0.09 > max(0.02, 0.04) -> beats plain; time (20 + 16) / 2 over 10.
    assert cwd['mean'] == pytest.approx(0.41) and cwd['delta'] == pytest.approx(0.09)
    assert cwd['paired_deltas'] == pytest.approx([0.10, 0.08]) and cwd['beats_plain'] is True
    assert cwd['time_vs_plain'] == pytest.approx(1.8)
    # MGD: delta 0.03 is inside the plain spread 0.04.
    assert mgd['delta'] == pytest.approx(0.03) and mgd['beats_plain'] is False
    # KD: delta 0.03 but its own spread is 0.20.
    assert kd['spread'] == pytest.approx(0.20) and kd['beats_plain'] is False


def test_missing_plain_runs_and_mismatched_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match='no plain-student runs'):
        summarize_suite(_runs('CWD', [0.4, 0.4]), teacher=0.5)
    runs = _runs(PLAIN, [0.3, 0.3]) + _runs('CWD', [0.4, 0.4])[:1]
    with pytest.raises(ValueError, match=r'CWD: run with seeds \[0\], the plain student with \[0, 1\]'):
        summarize_suite(runs, teacher=0.5)


def test_table_has_a_row_per_method_with_values_in_the_metric_scale() -> None:
    rows = summarize_suite(_runs(PLAIN, [20.0, 22.5]) + _runs('CWD', [25.0, 24.0]), teacher=40.0)
    text = suite_markdown('mmseg: T -> S', 'mIoU', rows)
    lines = text.splitlines()
    assert lines[0] == '#### mmseg: T -> S' and 'teacher mIoU: 40.00; seeds 0, 1' in lines[2]
    assert lines[-2] == '| plain student | 21.25 | 20.00 / 22.50 | 2.50 | +0.00 | +0.00 / +0.00 | - | 1.00 |'
    assert lines[-1] == '| CWD | 24.50 | 25.00 / 24.00 | 1.00 | +3.25 | +5.00 / +1.50 | **yes** | 1.00 |'
    rows = summarize_suite(_runs(PLAIN, [0.2, 0.21]) + _runs('KD', [0.19, 0.2]), teacher=0.3)
    assert suite_markdown('t', 'mAP', rows).splitlines()[-1] == (
        '| KD | 0.1950 | 0.1900 / 0.2000 | 0.0100 | -0.0100 | -0.0100 / -0.0100 | no | 1.00 |')


def test_mm_curve_keeps_validations_without_metrics_and_skips_training_records(tmp_path) -> None:
    import json

    from distiller.benchmark.runs import main_metric, mm_validation_curve
    log = tmp_path / '20260101_000000' / 'vis_data'
    log.mkdir(parents=True)
    records = [dict(lr=0.01, loss=1.0, loss_cls=0.5, time=0.3, data_time=0.01, step=100),
               dict(time=0.1, data_time=0.01, step=100),  # CocoMetric found no box: nothing but timings
               dict(lr=0.01, loss=0.8, time=0.3, data_time=0.01, step=200),
               {'coco/bbox_mAP': 0.25, 'coco/bbox_mAP_50': 0.5, 'time': 0.1, 'data_time': 0.01, 'step': 200}]
    (log / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in records))
    curve = mm_validation_curve(tmp_path)
    assert curve == [[100, {}], [200, {'coco/bbox_mAP': 0.25, 'coco/bbox_mAP_50': 0.5}]]
    assert main_metric(curve) == 'coco/bbox_mAP'
    with pytest.raises(ValueError, match='no validation of this run returned a metric'):
        main_metric(curve[:1])
