"""The one-command demo: a teacher, plain students and distilled students on the embedded digits data, compared over
seeds, with a predictions picture.

Stages (each training is a real ``tools/train.py`` run, validated by the dataset's own evaluator):
1. generate the digits data (skipped when present);
2. train the teacher (unless a teacher the demo trained before is kept at the config's ``teacher_pretrained``), the
   plain student and the distilled student for every seed, ``--jobs`` runs at a time with one thread each; progress
   lines say where each run is and how long is left, and each run's full log is in its work dir;
3. draw ``<out>_predictions.png``: validation images with the teacher's, the plain and the distilled student's
   predictions (seed of the first run) on the images where the two students differ most;
4. print and write ``<out>.md``, ``<out>.json`` and ``<out>_curves.png``: per-seed metrics, mean, seed spread, the
   mean paired gain of distillation and whether it exceeds the spread.

Usage:
    python tools/demo.py [DISTILLER_CONFIG] [--seeds 0 1 2] [--jobs 2] [--work-dir work_dirs/demo] [--out results/demo]
"""
import argparse
import json
import os
import shlex
import time
from pathlib import Path
from typing import Dict, List, Optional

import torch

from distiller.benchmark.parallel_runs import Run, RunPool
from distiller.benchmark.predictions import prediction_grid
from distiller.benchmark.runs import (copy_checkpoint, kept_teacher, main_metric, mm_iterations, mm_run_result,
                                      mm_train_args, parse_options, record_teacher, run_script)
from distiller.engine.mm_pruning import build_mm_model
from distiller.pruning import count_flops
from distiller.registry import runner_class
from distiller.utils import load_config

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
DEFAULT_CONFIG = 'configs/distillers/digits/demo_cwd_cspnext_s_to_tiny_fpn_digits.py'
STUDENTS = ('plain student', 'distilled student')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG, help='mmseg or mmdet distiller config')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='seeds of the student runs')
    parser.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                        help='trainings at once (default: 2, or 1 on a one-core machine)')
    parser.add_argument('--work-dir', default='work_dirs/demo', help='run directories')
    parser.add_argument('--out', default='results/demo', help='output path without extension')
    parser.add_argument('--teacher-checkpoint', help="where the teacher is kept (default: the config's "
                        'teacher_pretrained)')
    parser.add_argument('--data-args', default='', help='extra arguments of tools/generate_data.py, one string')
    parser.add_argument('--cfg-options', nargs='*', default=[], help='key=value overrides of every run')
    parser.add_argument('--report-s', type=float, default=30.0, help='seconds between progress lines')
    return parser.parse_args(argv)


def say(text: str) -> None:
    """Print one demo line."""
    print(f'[demo] {text}', flush=True)


def training_runs(args: argparse.Namespace, cfg, teacher: Path, train_teacher: bool) -> List[Run]:
    """The teacher run (unless one is kept), then the plain and the distilled student of every seed.

    Args:
        args (argparse.Namespace): Parsed arguments.
        cfg: The distiller config.
        teacher (Path): Where the teacher is kept (``<teacher>.json`` beside it records its curve).
        train_teacher (bool): Train the teacher first (no kept one).

    Returns:
        list[Run]: In start order.
    """
    work = Path(args.work_dir)
    lengths = {config: mm_iterations(config, args.cfg_options)
               for config in (cfg.model.teacher_cfg, cfg.model.student_cfg, args.config)}

    def read(folder: str, keep: Optional[Path] = None) -> Dict:
        result = mm_run_result(work / folder)
        if keep is not None:  # the distilled runs load the teacher from where it is kept
            copy_checkpoint(result, keep)
        return result

    def run(name: str, config: str, folder: str, seed: int, kind: str, after: Optional[str] = None,
            extra: tuple = (), keep: Optional[Path] = None) -> Run:
        command = mm_train_args(TOOLS / 'train.py', config, work / folder, seed, [*args.cfg_options, *extra])
        return Run(name, command, work / folder / 'train.log', lengths[config], kind, after,
                   read=lambda _seconds: read(folder, keep))

    runs, after = [], None
    if train_teacher:
        runs = [run('teacher', cfg.model.teacher_cfg, 'teacher', args.seeds[0], 'teacher', keep=teacher)]
        after = 'teacher'
    runs += [run(f'plain student, seed {s}', cfg.model.student_cfg, f'plain_seed{s}', s, 'plain') for s in args.seeds]
    runs += [run(f'distilled student, seed {s}', args.config, f'distilled_seed{s}', s, 'distilled', after,
                 (f'model.teacher_pretrained={teacher}',)) for s in args.seeds]
    return runs


def complexity(config: str, size: int) -> Dict[str, float]:
    """Parameters and FLOPs of a model config at ``size`` x ``size``.

    Args:
        config (str): Model config.
        size (int): Input side.

    Returns:
        dict: ``params`` and ``gflops``.
    """
    model = build_mm_model(config)
    return dict(params=sum(p.numel() for p in model.parameters()),
                gflops=count_flops(model, torch.zeros(1, 3, size, size)) / 1e9)


def final(run: Dict, metric: str) -> float:
    """The metric of a run's last validation."""
    return float(run['curve'][-1][1].get(metric, 0.0))


def summarize(teacher: Dict, students: Dict[str, Dict[int, Dict]], metric: str) -> Dict:
    """Per-seed values, means, spreads and the paired gain of distillation.

    Args:
        teacher (dict): The teacher's record.
        students (dict): ``'plain student'`` / ``'distilled student'`` -> seed -> run record.
        metric (str): The headline metric.

    Returns:
        dict: ``teacher``, per model ``values``/``mean``/``spread``, ``gains`` per seed, ``gain`` (mean),
        ``spread`` (the larger of the two students') and ``beats_spread``.
    """
    summary = {'teacher': final(teacher, metric)}
    for label in STUDENTS:
        values = {seed: final(run, metric) for seed, run in students[label].items()}
        summary[label] = dict(values=values, mean=sum(values.values()) / len(values),
                              spread=max(values.values()) - min(values.values()))
    gains = {seed: summary['distilled student']['values'][seed] - summary['plain student']['values'][seed]
             for seed in students['plain student']}
    gain = sum(gains.values()) / len(gains)
    spread = max(summary[label]['spread'] for label in STUDENTS)
    return dict(summary, gains=gains, gain=gain, spread=spread, beats_spread=len(gains) > 1 and gain > spread)


def _fmt(value: float, metric: str, signed: bool = False) -> str:
    """Two decimals for percentages (mmseg's mIoU), four for 0-1 metrics (mmdet's mAP)."""
    return format(value, ('+' if signed else '') + ('.2f' if metric == 'mIoU' else '.4f'))


def table(summary: Dict, sizes: Dict[str, Dict], times: Dict[str, float], metric: str, seeds: List[int]) -> str:
    """The markdown table and the gain line.

    Args:
        summary (dict): What :func:`summarize` returns.
        sizes (dict): Model label -> ``params``/``gflops``.
        times (dict): Model label -> mean train seconds.
        metric (str): The headline metric.
        seeds (list[int]): The seeds.

    Returns:
        str: Markdown.
    """
    seed_list = ' / '.join(str(s) for s in seeds)
    lines = [f'| model | params (M) | GFLOPs | {metric}, seed {seed_list} | mean | spread (max - min) | '
             'train time per run (s) |', '|---|---|---|---|---|---|---|']
    for label in ('teacher', *STUDENTS):
        size = sizes[label]
        if label == 'teacher':
            values, mean, spread = _fmt(summary['teacher'], metric), _fmt(summary['teacher'], metric), '-'
        else:
            row = summary[label]
            values = ' / '.join(_fmt(row['values'][s], metric) for s in seeds)
            mean, spread = _fmt(row['mean'], metric), _fmt(row['spread'], metric)
        lines.append(f'| {label} | {size["params"] / 1e6:.2f} | {size["gflops"]:.2f} | {values} | {mean} | {spread} '
                     f'| {times[label]:.0f} |')
    gains = ', '.join(_fmt(summary['gains'][s], metric, signed=True) for s in seeds)
    verdict = ('larger than the seed spread' if summary['beats_spread'] else
               'not larger than the seed spread' if len(seeds) > 1 else 'one seed: no spread measured')
    gain = _fmt(summary['gain'], metric, signed=True)
    lines += ['', f'Distillation: {gain} {metric} (mean of the paired per-seed gains {gains}); '
                  f'seed spread {_fmt(summary["spread"], metric)} (the larger of the two students\'): {verdict}.']
    return '\n'.join(lines) + '\n'


def plot_curves(teacher: Dict, students: Dict[str, Dict[int, Dict]], metric: str, path: Path) -> None:
    """Every run's validation curve against the training iteration.

    Args:
        teacher (dict): The teacher's record.
        students (dict): Label -> seed -> run record.
        metric (str): The plotted metric.
        path (Path): The PNG.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(6, 4))
    groups = [('teacher', {None: teacher}), *students.items()]
    for color, (label, runs) in zip(('tab:gray', 'tab:blue', 'tab:orange'), groups):
        for index, run in enumerate(runs.values()):
            axis.plot([step for step, _ in run['curve']], [m.get(metric, 0.0) for _, m in run['curve']],
                      marker='o', color=color, alpha=0.8, label=label if index == 0 else None)
    axis.set(xlabel='training iteration', ylabel=metric, title='validation during training (one line per seed)')
    axis.legend()
    figure.tight_layout()
    figure.savefig(str(path), dpi=120)
    plt.close(figure)


def main(argv: Optional[List[str]] = None) -> str:
    """Run the demo.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        str: The comparison table.
    """
    args = parse_args(argv)
    start = time.perf_counter()
    cfg = load_config(args.config)
    if runner_class(cfg).__name__ != 'MMRunner':
        raise SystemExit(f'demo: {args.config} is not an mmseg/mmdet distiller config (YOLO distillation is measured '
                         'by `make benchmark`)')
    teacher_path = REPO / (args.teacher_checkpoint or cfg.model.teacher_pretrained)
    say('stage 1/4: the digits data')
    run_script([str(TOOLS / 'generate_data.py'), *shlex.split(args.data_args)], REPO, tag='demo')

    kept = kept_teacher(teacher_path)
    runs = training_runs(args, cfg, teacher_path, train_teacher=kept is None)
    if kept is not None:
        say(f'reusing the teacher {teacher_path} (delete it and its .json to train a new one)')
    teacher_part = '' if kept is not None else 'the teacher, '
    say(f'stage 2/4: {teacher_part}the plain and the distilled student for seeds {" ".join(map(str, args.seeds))} '
        f'({len(runs)} trainings), {args.jobs} at a time with one thread each; each logs to train.log in its work dir')
    results = RunPool(REPO, args.jobs, threads=1, tag='demo', report_s=args.report_s).run(runs)
    teacher = kept if kept is not None else record_teacher(results['teacher'], teacher_path)
    students = {label: {s: results[f'{label}, seed {s}'] for s in args.seeds} for label in STUDENTS}
    metric = main_metric(students['plain student'][args.seeds[0]]['curve'])

    out = Path(args.out)
    say(f'stage 3/4: predictions of the teacher and both students (seed {args.seeds[0]}) on the validation images')
    first = {label: students[label][args.seeds[0]]['checkpoint'] for label in STUDENTS}
    models = {'teacher': (cfg.model.teacher_cfg, teacher['checkpoint']),
              'plain student': (cfg.model.student_cfg, first['plain student']),
              'distilled student': (cfg.model.student_cfg, first['distilled student'])}
    drawn = prediction_grid(cfg.model.student_cfg, models, Path(f'{out}_predictions.png'), contrast=STUDENTS,
                            cfg_options=parse_options(args.cfg_options))

    say('stage 4/4: table and curves')
    summary = summarize(teacher, students, metric)
    size = int(cfg.model.get('calibrate_shape', (2, 3, 128, 128))[-1])
    sizes = {'teacher': complexity(cfg.model.teacher_cfg, size), 'plain student': complexity(cfg.model.student_cfg,
                                                                                             size)}
    sizes['distilled student'] = sizes['plain student']
    times = {'teacher': teacher['train_s']}
    times.update({label: sum(r['train_s'] for r in students[label].values()) / len(args.seeds) for label in STUDENTS})
    text = table(summary, sizes, times, metric, args.seeds)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix('.md').write_text(text)
    out.with_suffix('.json').write_text(json.dumps(dict(config=args.config, seeds=args.seeds, metric=metric,
                                                        summary=summary, sizes=sizes, teacher=teacher,
                                                        students=students, predictions_drawn=drawn), indent=2))
    plot_curves(teacher, students, metric, Path(f'{out}_curves.png'))
    reused = ' (teacher trained earlier)' if teacher['reused'] else ''
    say(f'{Path(args.config).stem}, seeds {" ".join(map(str, args.seeds))}: {time.perf_counter() - start:.0f} s in '
        f'all{reused}\n\n{text}')
    say(f'wrote {out}.md, {out}.json, {out}_curves.png, {out}_predictions.png')
    return text


if __name__ == '__main__':
    main()
