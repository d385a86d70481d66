"""Our YOLO distillation against Ultralytics' built-in one (``distill_model=..., dis=...``), side by side.

For each seed it trains, with the same data, schedule and train arguments: the plain student, the student distilled
by the config's recipe, and the student distilled by Ultralytics' built-in distillation from the same teacher. It
reports the final mAP50-95 of each (Ultralytics' validator on ``best.pt``) and the mean training time per epoch
(validation excluded), and writes ``<out>.json`` and ``<out>.md``. A missing teacher checkpoint is trained first
with the same train arguments.

Usage:
    python tools/benchmark/yolo_builtin.py CONFIG [--seeds 0 1] [--epochs N] [--teacher-epochs N] [--out PATH]
"""
import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from distiller.datasets import DigitsSpec, generate_digits
from distiller.registry import YOLO_RUNS
from distiller.utils import load_config
from distiller.yolo.safe_checkpoint import ultralytics_checkpoint_loading

METHODS = ('plain', 'ours', 'builtin')


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='YOLO distillation config (model.type=YOLODistiller)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='training seeds')
    parser.add_argument('--epochs', type=int, help='override train_args.epochs')
    parser.add_argument('--teacher-epochs', type=int, default=60, help='epochs when the teacher must be trained')
    parser.add_argument('--teacher-model', default='yolov8s.yaml', help='model yaml of a teacher that must be trained')
    parser.add_argument('--builtin-dis', type=float, default=6.0, help="weight of the built-in distillation ('dis')")
    parser.add_argument('--work-dir', default='work_dirs/benchmark_yolo_builtin', help='run directories')
    parser.add_argument('--out', default='results/yolo_builtin', help='output path without extension')
    return parser.parse_args()


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


def train_teacher(cfg, model_yaml: str, epochs: int, work_dir: Path) -> None:
    """Train the config's teacher checkpoint from ``model_yaml`` when the file is missing."""
    from ultralytics import YOLO
    target = Path(cfg.model.teacher)
    if target.is_file():
        return
    args = dict(cfg.train_args, epochs=epochs, save_dir=str(work_dir / 'teacher'))
    print(f'training the teacher {model_yaml} for {epochs} epochs -> {target}', flush=True)
    with ultralytics_checkpoint_loading():
        YOLO(model_yaml).train(**args)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(work_dir / 'teacher' / 'weights' / 'best.pt', target)


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


def to_markdown(rows: List[dict], command: str) -> str:
    """The summary as a markdown table with the command that produced it."""
    lines = [f'`{command}`', '', '| method | mAP50-95 (mean) | spread (max-min) | delta vs plain | train s/epoch | '
             'time vs plain | seeds |', '|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['method']} | {r['mean']:.4f} | {r['spread']:.4f} | {r['delta']:+.4f} | "
                     f"{r['epoch_time_s']:.2f} | {r['time_vs_plain']:.3f} | {r['seeds']} |")
    return '\n'.join(lines) + '\n'


def main() -> None:
    """Train the teacher if needed, then every method for every seed, and write the tables."""
    import sys
    args = parse_args()
    cfg = load_config(args.config)
    if args.epochs:
        cfg.train_args.epochs = args.epochs
    generate_digits('data/digits', DigitsSpec())
    work_dir = Path(args.work_dir)
    train_teacher(cfg, args.teacher_model, args.teacher_epochs, work_dir)
    runs = []
    for i, seed in enumerate(args.seeds):
        order = METHODS[i % 3:] + METHODS[:i % 3]  # rotate the order so no method always runs first
        for method in order:
            runs.append(run_one(method, cfg, seed, args, work_dir))
            print(json.dumps(runs[-1]), flush=True)
    rows = summarize(runs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = 'python ' + ' '.join(sys.argv)
    out.with_suffix('.json').write_text(json.dumps(dict(command=command, runs=runs, summary=rows), indent=2))
    out.with_suffix('.md').write_text(to_markdown(rows, command))
    print(to_markdown(rows, command))


if __name__ == '__main__':
    main()
