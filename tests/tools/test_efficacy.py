"""``tools/benchmark/efficacy.py``: teacher, plain and distilled students per suite, trained by the real tools,
summarised per method, and resumed from the per-run records."""
import json
from pathlib import Path

import pytest
import torch

from distiller.engine.mm_pruning import build_mm_model
from distiller.utils import load_config
from tests.helpers.kd_runner_helpers import REPO, run_tool, tail
from tests.helpers.tools_loader import load_tool


TOOL = str(REPO / 'tools' / 'benchmark' / 'efficacy.py')


def _suite(path: Path, methods: dict, **extra) -> Path:
    lines = [f'title = {path.stem!r}', 'seeds = [0]', f'methods = {methods!r}']
    lines += [f'{key} = {value!r}' for key, value in extra.items()]
    path.write_text('\n'.join(lines) + '\n')
    return path


def _run(tmp_path: Path, suite: Path, data_args: str, options: list, extra: tuple = ()) -> tuple:
    out = tmp_path / 'results' / 'efficacy'
    proc = run_tool([TOOL, str(suite), '--work-dir', str(tmp_path / 'work'), '--out', str(out),
                     '--teacher-dir', str(tmp_path / 'teachers'), '--data-args', data_args, *extra,
                     '--cfg-options', *options], timeout=600)
    assert proc.returncode == 0, tail(proc)
    return proc, out


def _kept_teacher(config: str, teachers: Path, data: dict) -> None:
    """A randomly initialised teacher kept as the benchmark keeps one it trained on ``data`` (the YOLO test trains
    its own)."""
    teachers.mkdir()
    model = build_mm_model(str(load_config(config).model.teacher_cfg))
    torch.save(dict(state_dict=model.state_dict()), teachers / 'rtmdet_s_digits.pth')
    record = dict(train_s=1.0, curve=[[2, {'coco/bbox_mAP': 0.0}]], data=data)
    (teachers / 'rtmdet_s_digits.json').write_text(json.dumps(record))


def _check_loss_scales(work: Path, run: str, distill: list) -> None:
    """``tools/analysis/loss_scales.py`` reads the real run's log: the plain run has no distillation terms, the
    distilled run exactly its config's."""
    scales = load_tool('analysis/loss_scales')
    plain = scales.summarize_run(scales.read_run(work / 'plain_student_seed0'))
    distilled = scales.summarize_run(scales.read_run(work / run))
    assert plain['terms'] == {} and plain['task'][0] > 0
    assert list(distilled['terms']) == distill and distilled['task'][0] > 0
    assert all(start > 0 for start, _ in distilled['terms'].values())


def test_mm_suite_trains_side_by_side_on_its_own_data_then_resumes(tmp_path: Path) -> None:
    """A suite with ``data``: its own copy of the data (3 validation images), every run pointed at it; ``--jobs 2``
    trains the two students side by side."""
    data = tmp_path / 'digits_bench'
    config = str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_rtmdet_s_to_tiny_digits.py')
    suite = _suite(tmp_path / 'det_suite.py', {'CWD': config}, data={'root': str(data), 'num_val': 3})
    _kept_teacher(config, tmp_path / 'teachers', {'root': str(data), 'num_val': 3})
    options = ['train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
               'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1']
    proc, out = _run(tmp_path, suite, '--num-train 8 --img-size 64', options, ('--jobs', '2'))
    _check_loss_scales(tmp_path / 'work' / 'det_suite', 'cwd_seed0', ['loss_cwd_p3', 'loss_cwd_p4', 'loss_cwd_p5'])
    assert json.loads((data / 'meta.json').read_text())['counts']['val']['images'] == 3
    assert proc.stdout.count('[efficacy det_suite] done:') == 2
    run_log = (tmp_path / 'work' / 'det_suite' / 'cwd_seed0' / 'train.log').read_text()
    assert f'{data}/annotations/instances_val.json' in run_log
    result = json.loads(out.with_suffix('.json').read_text())['suites'][0]
    assert result['metric'] == 'coco/bbox_mAP'
    assert [row['method'] for row in result['rows']] == ['plain student', 'CWD']
    assert 'reusing the teacher' in proc.stdout
    records = sorted(p.name for p in (out / 'det_suite').iterdir())
    assert records == ['cwd_seed0.json', 'plain_student_seed0.json']
    table = out.with_suffix('.md').read_text()
    assert f"#### det_suite with {' '.join(options)}\n" in table
    assert '| CWD |' in table and '| plain student |' in table
    again, _ = _run(tmp_path, suite, '--num-train 8 --img-size 64', options, ('--jobs', '2'))
    assert 'reusing the teacher' in again.stdout and again.stdout.count('kept from') == 2
    assert 'tools/train.py' not in again.stdout
    assert out.with_suffix('.md').read_text().split('\n', 1)[1] == table.split('\n', 1)[1]


def test_yolo_suite_runs_methods_and_ultralytics_builtin_distillation(tmp_path: Path) -> None:
    data = tmp_path / 'digits'
    suite = _suite(tmp_path / 'yolo_suite.py',
                   {'CWD': str(REPO / 'configs' / 'distillers' / 'yolo' / 'cwd_yolov8s_to_yolov8n_digits.py')},
                   builtin={'dis': 6.0}, teacher_train={'model': 'yolov8s.yaml', 'epochs': 1})
    options = [f'train_args.data={data}/yolo/detect/digits.yaml', 'train_args.epochs=1', 'train_args.imgsz=64',
               'train_args.batch=4', 'train_args.workers=0', 'train_args.close_mosaic=0']
    _, out = _run(tmp_path, suite, f'--out {data} --num-train 8 --num-val 2 --img-size 64', options)
    _check_loss_scales(tmp_path / 'work' / 'yolo_suite', 'cwd_seed0', ['cwd_loss'])
    result = json.loads(out.with_suffix('.json').read_text())['suites'][0]
    assert result['metric'] == 'metrics/mAP50-95(B)'
    assert [row['method'] for row in result['rows']] == ['plain student', 'CWD', 'Ultralytics built-in']
    assert (tmp_path / 'teachers' / 'yolov8s_digits.pt').is_file()
    assert (tmp_path / 'teachers' / 'yolov8s_digits.json').is_file()


def test_unknown_method_names_the_suite_methods(tmp_path: Path) -> None:
    suite = _suite(tmp_path / 'suite.py',
                   {'CWD': str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_cspnext_s_to_tiny_fpn_digits.py')})
    with pytest.raises(ValueError, match=r"no method \['FGD'\]; the suite has \['CWD'\]"):
        load_tool('benchmark/efficacy').main([str(suite), '--methods', 'FGD'])


def test_data_options_point_every_loader_and_evaluator_at_the_suite_data() -> None:
    efficacy = load_tool('benchmark/efficacy')
    det = load_config(str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_rtmdet_s_to_tiny_digits.py'))
    assert efficacy.data_options(det, 'data/bench', yolo=False) == [
        'train_dataloader.dataset.data_root=data/bench/', 'val_dataloader.dataset.data_root=data/bench/',
        'test_dataloader.dataset.data_root=data/bench/',
        'val_evaluator.ann_file=data/bench/annotations/instances_val.json',
        'test_evaluator.ann_file=data/bench/annotations/instances_val.json']
    seg = load_config(str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_cspnext_s_to_tiny_fpn_digits.py'))
    assert efficacy.data_options(seg, 'data/bench/', yolo=False)[-1] == 'test_dataloader.dataset.data_root=data/bench/'
    yolo = load_config(str(REPO / 'configs' / 'distillers' / 'yolo' / 'cwd_yolov8s_to_yolov8n_digits.py'))
    assert efficacy.data_options(yolo, 'data/bench', yolo=True) == [
        'train_args.data=data/bench/yolo/detect/digits.yaml']


def test_force_redoes_earlier_records_but_not_those_of_the_same_invocation(tmp_path: Path) -> None:
    """``--force --jobs 2``: the side-by-side pool retrains every run, and the table then reads those records
    instead of training each run a second time."""
    efficacy = load_tool('benchmark/efficacy')
    suite_path = _suite(tmp_path / 'suite.py',
                        {'CWD': str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_rtmdet_s_to_tiny_digits.py')})
    suite = efficacy.Suite(str(suite_path), efficacy.parse_args([str(suite_path), '--force', '--out',
                                                                 str(tmp_path / 'out')]))
    suite.record_path('CWD', 0).parent.mkdir(parents=True)
    suite.record_path('CWD', 0).write_text('{}')
    assert suite.kept('CWD', 0) is None
    suite.save('CWD', 0, dict(train_s=1.0, curve=[[2, {'coco/bbox_mAP': 0.5}]]))
    assert suite.kept('CWD', 0) is not None


def test_records_and_teachers_of_other_data_are_not_reused(tmp_path: Path) -> None:
    """A suite on its own data does not read a run or a teacher recorded on other data (the 50-image default)."""
    from distiller.benchmark.runs import kept_teacher, record_teacher

    efficacy = load_tool('benchmark/efficacy')
    data = {'root': str(tmp_path / 'bench'), 'num_val': 500}
    suite_path = _suite(tmp_path / 'suite.py', {'CWD': str(REPO / 'configs' / 'distillers' / 'digits' /
                                                           'cwd_rtmdet_s_to_tiny_digits.py')}, data=data)
    suite = efficacy.Suite(str(suite_path), efficacy.parse_args([str(suite_path), '--out', str(tmp_path / 'out')]))
    suite.record_path('CWD', 0).parent.mkdir(parents=True)
    suite.record_path('CWD', 0).write_text(json.dumps(dict(value=0.1)))
    assert suite.kept('CWD', 0) is None
    suite.save('CWD', 0, dict(train_s=1.0, curve=[[2, {'coco/bbox_mAP': 0.5}]]))
    assert suite.kept('CWD', 0)['data'] == data
    teacher = tmp_path / 'teacher.pth'
    teacher.write_bytes(b'')
    record_teacher(dict(train_s=1.0, curve=[]), teacher)
    assert kept_teacher(teacher) is not None and kept_teacher(teacher, data) is None
    record_teacher(dict(train_s=1.0, curve=[]), teacher, data)
    assert kept_teacher(teacher, data)['data'] == data and kept_teacher(teacher) is None


def test_bad_suite_data_is_reported(tmp_path: Path) -> None:
    efficacy = load_tool('benchmark/efficacy')
    with pytest.raises(ValueError, match=r"suite.py: data takes root \(required\) and num_val.*got \['num_val'\]"):
        efficacy.suite_data('suite.py', {'num_val': 500})
    det = load_config(str(REPO / 'configs' / 'distillers' / 'digits' / 'cwd_rtmdet_s_to_tiny_digits.py'))
    det.val_evaluator.ann_file = '/elsewhere/instances_val.json'
    with pytest.raises(ValueError, match=r"val_evaluator.ann_file='/elsewhere/instances_val.json' does not start "
                                         r"with 'data/digits/'"):
        efficacy.data_options(det, 'data/bench', yolo=False)
