"""``tools/demo.py``: teacher, plain and distilled students trained by the real tools side by side, compared over
seeds in one table, with the predictions and curves pictures; and the pool that runs the trainings."""
import json
from pathlib import Path

import pytest

from distiller.benchmark.parallel_runs import Run, RunPool, _progress
from tests.helpers.kd_runner_helpers import REPO, run_tool, tail
from tests.helpers.tools_loader import load_tool

CONFIG = REPO / 'configs' / 'distillers' / 'digits' / 'demo_cwd_cspnext_s_to_tiny_fpn_digits.py'


def test_demo_trains_teacher_and_students_and_writes_table_pictures_and_json(tmp_path: Path) -> None:
    data = tmp_path / 'digits'
    teacher = tmp_path / 'teacher.pth'
    out = tmp_path / 'results' / 'demo'
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    options = [f'{loader}.dataset.data_root={data}/' for loader in loaders]
    options += ['train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
                'default_hooks.checkpoint.interval=2']
    proc = run_tool([str(REPO / 'tools' / 'demo.py'), str(CONFIG), '--seeds', '0', '--work-dir', str(tmp_path / 'work'),
                     '--out', str(out), '--teacher-checkpoint', str(teacher), '--report-s', '1',
                     '--data-args', f'--out {data} --num-train 4 --num-val 3 --img-size 64',
                     '--cfg-options', *options], timeout=600)
    assert proc.returncode == 0, tail(proc)
    record = json.loads(out.with_suffix('.json').read_text())
    assert record['metric'] == 'mIoU' and record['seeds'] == [0]
    for label in ('plain student', 'distilled student'):
        run = record['students'][label]['0']
        assert run['curve'][-1][0] == 2 and 'mIoU' in run['curve'][-1][1] and run['train_s'] > 0
    assert record['sizes']['teacher']['params'] > record['sizes']['plain student']['params'] > 0
    assert record['predictions_drawn'] and all(p.startswith(f'{data}/images/val/') for p in record['predictions_drawn'])
    table = out.with_suffix('.md').read_text()
    assert table.splitlines()[0].startswith('| model | params (M) | GFLOPs | mIoU, seed 0 | mean |')
    assert 'one seed: no spread measured' in table
    for picture in ('_curves.png', '_predictions.png'):
        assert Path(f'{out}{picture}').stat().st_size > 0
    assert teacher.is_file() and json.loads(teacher.with_suffix('.json').read_text())['curve']
    for stage in ('stage 1/4', 'stage 2/4', 'stage 3/4', 'stage 4/4', 'start: teacher',
                  'done: distilled student, seed 0'):
        assert stage in proc.stdout, stage


def test_summary_pairs_the_seeds_and_compares_the_gain_with_the_larger_spread() -> None:
    demo = load_tool('demo')

    def run(value: float) -> dict:
        return dict(curve=[[2, {'mIoU': 0.0}], [4, {'mIoU': value}]], train_s=1.0)

    students = {'plain student': {0: run(30.0), 1: run(32.0), 2: run(31.0)},
                'distilled student': {0: run(40.0), 1: run(41.0), 2: run(43.0)}}
    summary = demo.summarize(run(45.0), students, 'mIoU')
    assert summary['gains'] == {0: 10.0, 1: 9.0, 2: 12.0}
    assert summary['gain'] == pytest.approx(31 / 3)
    assert summary['plain student']['spread'] == 2.0 and summary['distilled student']['spread'] == 3.0
    assert summary['spread'] == 3.0 and summary['beats_spread'] is True
    sizes = {label: dict(params=1e6, gflops=0.5) for label in ('teacher', 'plain student', 'distilled student')}
    text = demo.table(summary, sizes, {label: 10.0 for label in sizes}, 'mIoU', [0, 1, 2])
    assert '| plain student | 1.00 | 0.50 | 30.00 / 32.00 / 31.00 | 31.00 | 2.00 | 10 |' in text
    assert 'Distillation: +10.33 mIoU (mean of the paired per-seed gains +10.00, +9.00, +12.00); seed spread 3.00' \
        in text and 'larger than the seed spread' in text
    students['distilled student'][2] = run(30.0)
    assert demo.summarize(run(45.0), students, 'mIoU')['beats_spread'] is False


def test_pool_reads_progress_and_estimates_the_time_left(tmp_path: Path, capsys) -> None:
    log = tmp_path / 'a.log'
    log.write_text('x Iter(train) [ 10/100]  lr: 1e-3  eta: 0:01:00  time: 0.5000  data_time: 0.01\n'
                   'x Iter(train) [ 20/100]  lr: 1e-3  eta: 0:00:50  time: 0.2500  data_time: 0.01\n')
    assert _progress(log) == (20, 100, 0.25)
    assert _progress(tmp_path / 'missing.log') is None
    pool = RunPool(tmp_path, workers=2, threads=1)
    running = Run('a', [], log, 100, 'plain')
    queued = [Run('b', [], tmp_path / 'b.log', 100, 'plain'), Run('c', [], tmp_path / 'c.log', 40, 'distilled')]
    # a: 80 iterations left at 0.25 s (20 s); b (100 x 0.25 = 25 s) starts on the free worker at once.
    left, rough = pool._time_left({'a': (running, None)}, queued[:1])
    assert left == pytest.approx(25.0) and not rough
    # c waits for the first free worker (a's, at 20 s); no distilled run yet: the plain rate stands in.
    left, rough = pool._time_left({'a': (running, None)}, queued)
    assert left == pytest.approx(max(25, 20 + 40 * 0.25)) and rough
    pool.rates['distilled'] = [1.0]
    assert pool._time_left({'a': (running, None)}, queued) == (pytest.approx(20 + 40), False)
    assert pool._time_left({'b': (queued[0], None)}, []) is None  # b has not logged an iteration yet


def test_pool_stops_at_a_failed_run_and_names_its_log(tmp_path: Path) -> None:
    fail = Run('broken run', ['-c', 'import sys; print("the last words"); sys.exit(3)'], tmp_path / 'broken.log', 1,
               'plain')
    late = Run('late run', ['-c', 'pass'], tmp_path / 'late.log', 1, 'plain', after='broken run')
    with pytest.raises(RuntimeError, match=r'broken run failed \(exit 3\); log .*broken.log:\nthe last words'):
        RunPool(tmp_path, workers=2, threads=1).run([fail, late])
    assert not (tmp_path / 'late.log').exists()


def test_pool_runs_side_by_side_and_in_dependency_order(tmp_path: Path) -> None:
    stamp = 'import sys, time; time.sleep(float(sys.argv[1])); print(time.time())'
    runs = [Run('first', ['-c', stamp, '1.5'], tmp_path / 'first.log', 1, 'x',
                read=lambda seconds: {'kind': 'x', 'read_s': seconds}),
            Run('beside', ['-c', stamp, '0'], tmp_path / 'beside.log', 1, 'x'),
            Run('after first', ['-c', stamp, '0'], tmp_path / 'after.log', 1, 'x', after='first')]
    results = RunPool(tmp_path, workers=2, threads=1, report_s=0.5).run(runs)
    assert list(results) == ['beside', 'first', 'after first'] and results['first']['kind'] == 'x'
    assert results['first']['read_s'] == results['first']['train_s'] >= 1.5  # read gets the run's wall time
    ended = {name: float((tmp_path / f'{name.split()[0]}.log').read_text()) for name in ('first', 'beside', 'after')}
    assert ended['beside'] < ended['first'] < ended['after']


def test_demo_refuses_a_yolo_config() -> None:
    demo = load_tool('demo')
    config = REPO / 'configs' / 'distillers' / 'yolo' / 'cwd_yolov8s_to_yolov8n_digits.py'
    with pytest.raises(SystemExit, match='is not an mmseg/mmdet distiller config'):
        demo.main([str(config)])
