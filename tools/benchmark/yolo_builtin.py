"""Our YOLO distillation against Ultralytics' built-in one (``distill_model=..., dis=...``), side by side.

For each seed it trains, with the same data, schedule and train arguments: the plain student, the student distilled
by the config's recipe, and the student distilled by Ultralytics' built-in distillation from the same teacher. It
reports the final mAP50-95 of each (Ultralytics' validator on ``best.pt``) and the mean training time per epoch
(validation excluded), and writes ``<out>.json`` and ``<out>.md`` with the versions of the stack. A teacher is
kept as the efficacy benchmark keeps it (the checkpoint and its ``.json`` record, reused only together): otherwise
it is trained first with the same train arguments, seed 0 and 40 epochs, the teacher of
``configs/benchmark/efficacy_yolo.py``, so both tools compare against the same teacher.

Usage:
    python tools/benchmark/yolo_builtin.py CONFIG [--seeds 0 1] [--epochs N] [--teacher-epochs N] [--out PATH]
        [--teacher PATH] [--cfg-options k=v ...] [--data-args '--out DIR ...']
"""
import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from distiller.benchmark.runs import copy_checkpoint, parse_options, run_script, teacher_run
from distiller.benchmark.versions import stack_versions, versions_line
from distiller.registry import YOLO_RUNS
from distiller.utils import load_config
from distiller.yolo.safe_checkpoint import ultralytics_checkpoint_loading
from distiller.yolo.training_runs import train_yolo

METHODS = ('plain', 'ours', 'builtin')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='YOLO distillation config (model.type=YOLODistiller)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='training seeds')
    parser.add_argument('--epochs', type=int, help='override train_args.epochs')
    parser.add_argument('--teacher', help="where the teacher is kept (default: the config's model.teacher)")
    parser.add_argument('--cfg-options', nargs='*', default=[], help='key=value overrides of the config '
                        '(e.g. train_args.imgsz=64)')
    parser.add_argument('--data-args', default='', help='arguments of tools/generate_data.py, one string')
    parser.add_argument('--teacher-epochs', type=int, default=40,
                        help='epochs when the teacher must be trained (default: %(default)s, as the efficacy suite)')
    parser.add_argument('--teacher-model', default='yolov8s.yaml', help='model yaml of a teacher that must be trained')
    parser.add_argument('--builtin-dis', type=float, default=6.0, help="weight of the built-in distillation ('dis')")
    parser.add_argument('--work-dir', default='work_dirs/benchmark_yolo_builtin', help='run directories')
    parser.add_argument('--out', default='results/yolo_builtin', help='output path without extension')
    return parser.parse_args(argv)


def epoch_timer() -> Tuple[Dict[str, Callable], List[float]]:
    """Callbacks that time the training part of every epoch (validation excluded).

    Returns:
        tuple: Event -> callback, and the list the epoch durations (seconds) are appended to.
    """
    durations: List[float] = []
    started = {}

    def start(trainer) -> None:
        started['t'] = time.perf_counter()

    def end(trainer) -> None:
        durations.append(time.perf_counter() - started['t'])

    return {'on_train_epoch_start': start, 'on_train_epoch_end': end}, durations


def fitness_metrics(metrics) -> Dict[str, float]:
    """mAP50-95 and mAP50 of every task head in an Ultralytics metrics object (box; mask/pose when present)."""
    return {key.split('/')[-1]: round(float(value), 5) for key, value in metrics.results_dict.items()
            if key.startswith('metrics/mAP')}


def train_teacher(cfg, model_yaml: str, epochs: int, work_dir: Path) -> Dict:
    """The config's teacher: reused when its checkpoint and ``.json`` record are kept, else trained from
    ``model_yaml`` (seed 0) and kept.

    Returns:
        dict: Its record (``train_s``, ``curve``, ``checkpoint``, ``reused``).
    """
    args = dict(cfg.train_args, epochs=epochs, seed=0)
    return teacher_run(Path(cfg.model.teacher), lambda: train_yolo(model_yaml, args, work_dir / 'teacher'),
                       copy_checkpoint, tag='yolo_builtin')


def run_one(method: str, cfg, seed: int, args: argparse.Namespace, work_dir: Path) -> dict:
    """Train one student and return its metrics and time per epoch."""
    from ultralytics import YOLO
    train_args = dict(cfg.train_args, seed=seed, save_dir=str(work_dir / f'{method}_seed{seed}'))
    timer, durations = epoch_timer()
    if method == 'ours':
        metrics = YOLO_RUNS.build(cfg.model).train(train_args, save_dir=train_args.pop('save_dir'),
                                                   callbacks=timer)
    else:
        if method == 'builtin':
            train_args.update(distill_model=cfg.model.teacher, dis=args.builtin_dis)
        with ultralytics_checkpoint_loading():  # the student, the built-in run's teacher and the final best.pt
            model = YOLO(cfg.model.student)
            for event, callback in timer.items():
                model.add_callback(event, callback)
            metrics = model.train(**train_args)
    return dict(method=method, seed=seed, **fitness_metrics(metrics),
                epoch_time_s=round(statistics.mean(durations), 3), epochs=len(durations))


def summarize(runs: List[dict]) -> List[dict]:
    """Mean and spread per method, delta against the plain student, time ratio against the plain student."""
    key = next(k for k in runs[0] if k.startswith('mAP50-95'))
    rows = []
    plain = statistics.mean(r[key] for r in runs if r['method'] == 'plain')
    plain_time = statistics.mean(r['epoch_time_s'] for r in runs if r['method'] == 'plain')
    for method in METHODS:
        values = [r[key] for r in runs if r['method'] == method]
        times = [r['epoch_time_s'] for r in runs if r['method'] == method]
        rows.append(dict(method=method, metric=key, mean=round(statistics.mean(values), 4),
                         spread=round(max(values) - min(values), 4), delta=round(statistics.mean(values) - plain, 4),
                         epoch_time_s=round(statistics.mean(times), 2),
                         time_vs_plain=round(statistics.mean(times) / plain_time, 3), seeds=len(values)))
    return rows


def to_markdown(rows: List[dict], command: str, header: str = '') -> str:
    """The summary as a markdown table with the command that produced it and ``header`` lines under it."""
    lines = [f'`{command}`', '', *([header, ''] if header else []),
             '| method | mAP50-95 (mean) | spread (max-min) | delta vs plain | train s/epoch | time vs plain | seeds |',
             '|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['method']} | {r['mean']:.4f} | {r['spread']:.4f} | {r['delta']:+.4f} | "
                     f"{r['epoch_time_s']:.2f} | {r['time_vs_plain']:.3f} | {r['seeds']} |")
    return '\n'.join(lines) + '\n'


def main(argv: Optional[List[str]] = None) -> None:
    """Train the teacher if needed, then every method for every seed, and write the tables.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).
    """
    args = parse_args(argv)
    cfg = load_config(args.config)
    cfg.merge_from_dict(parse_options(args.cfg_options))
    if args.epochs:
        cfg.train_args.epochs = args.epochs
    if args.teacher:
        cfg.model.teacher = args.teacher
    run_script([str(Path(__file__).resolve().parents[1] / 'generate_data.py'), *shlex.split(args.data_args)],
               Path.cwd(), tag='yolo_builtin')
    work_dir = Path(args.work_dir)
    teacher = train_teacher(cfg, args.teacher_model, args.teacher_epochs, work_dir)
    metric = next(iter(teacher['curve'][-1][1]))
    teacher_line = (f"teacher {cfg.model.teacher}: {metric} {teacher['curve'][-1][1][metric]:.4f} "
                    f"({'kept' if teacher['reused'] else f'trained here for {args.teacher_epochs} epochs'})")
    runs = []
    for i, seed in enumerate(args.seeds):
        order = METHODS[i % 3:] + METHODS[:i % 3]  # rotate the order so no method always runs first
        for method in order:
            runs.append(run_one(method, cfg, seed, args, work_dir))
            print(json.dumps(runs[-1]), flush=True)
    rows = summarize(runs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = 'python tools/benchmark/yolo_builtin.py ' + shlex.join(sys.argv[1:] if argv is None else argv)
    versions = stack_versions()
    header = f'{teacher_line}; {versions_line(versions)}'
    out.with_suffix('.json').write_text(json.dumps(dict(command=command, versions=versions, teacher=teacher,
                                                        runs=runs, summary=rows), indent=2))
    out.with_suffix('.md').write_text(to_markdown(rows, command, header))
    print(to_markdown(rows, command, header))


if __name__ == '__main__':
    main()
