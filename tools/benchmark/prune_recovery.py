"""Pruned + fine-tuned against pruned + distilled, at the same schedule, for YOLO on the embedded digits data.

The compression pipeline end to end: sparse-train a YOLO model (BatchNorm-scale L1, ``YOLOTraining``), prune it
per layer by BatchNorm scale, then for each seed recover the same pruned checkpoint with the same schedule twice:
fine-tuned alone (``YOLOTraining``, no teacher) and distilled from the unpruned sparse-trained model
(``YOLODistiller``, CWD on the levels the Detect head reads). It reports mAP50-95 (Ultralytics' validator on each
``best.pt``, and on the unpruned and the pruned-before-recovery models), parameters, GFLOPs and the mean training time
per epoch (validation excluded), and writes ``<out>.json`` and ``<out>.md``. The sparse-trained model is reused when
its ``best.pt`` exists in the work directory.

Usage:
    python tools/benchmark/prune_recovery.py [--seeds 0 1] [--sparse-epochs 30] [--recover-epochs 20] [--ratio 0.3]
        [--bn-sparsity 5e-4] [--work-dir DIR] [--out PATH]
"""
import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Dict, List, Optional

import torch
from yolo_builtin import epoch_timer, fitness_metrics

from distiller.datasets import DigitsSpec, generate_digits
from distiller.pruning import PruneSettings, model_stats
from distiller.yolo import YOLOTraining
from distiller.yolo.pruning import load_yolo_model, prune_yolo_model, save_yolo_checkpoint
from distiller.yolo.safe_checkpoint import ultralytics_checkpoint_loading
from distiller.utils import load_config
from distiller.yolo import YOLODistiller

METHODS = ('finetune', 'distill')
METRIC = 'mAP50-95(B)'


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--base', default='configs/_base_/yolo/digits_detect.py', help='config giving train_args')
    parser.add_argument('--model', default='yolov8n.yaml', help='model yaml that is sparse-trained and pruned')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='seeds of the recovery runs')
    parser.add_argument('--sparse-epochs', type=int, default=30, help='epochs of sparse training')
    parser.add_argument('--recover-epochs', type=int, default=20, help='epochs of fine-tuning / distillation')
    parser.add_argument('--ratio', type=float, default=0.3, help='fraction of channels pruned in every layer')
    parser.add_argument('--bn-sparsity', type=float, default=5e-4, help='L1 weight on BatchNorm scales')
    parser.add_argument('--cwd-weight', type=float, default=3.0, help='weight of the CWD loss')
    parser.add_argument('--tau', type=float, default=1.0, help='temperature of the CWD loss')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_prune_recovery', help='run directories')
    parser.add_argument('--out', default='results/prune_recovery', help='output path without extension')
    return parser.parse_args()


def measure(weights: Path, train_args: dict, save_dir: Path) -> dict:
    """Validate a checkpoint with Ultralytics and count its parameters and FLOPs.

    Args:
        weights (Path): YOLO checkpoint (plain or pruned).
        train_args (dict): Train arguments (data, imgsz, batch, device, workers are used).
        save_dir (Path): Directory of the validation run.

    Returns:
        dict: mAP metrics, ``params`` and ``gflops`` (at the training image size).
    """
    from ultralytics import YOLO
    keys = ('data', 'imgsz', 'batch', 'device', 'workers')
    with ultralytics_checkpoint_loading():
        metrics = YOLO(str(weights)).val(**{k: train_args[k] for k in keys}, plots=False, save_dir=str(save_dir))
    imgsz = train_args['imgsz']
    stats = model_stats(load_yolo_model(weights), torch.zeros(1, 3, imgsz, imgsz))
    return dict(**fitness_metrics(metrics), params=stats.params, gflops=round(stats.flops / 1e9, 4))


def sparse_train(train_args: dict, args: argparse.Namespace, run_dir: Path) -> Optional[float]:
    """Sparse-train ``args.model`` into ``run_dir`` unless its ``best.pt`` exists.

    Args:
        train_args (dict): Ultralytics train arguments.
        args (argparse.Namespace): Command line (model, sparse_epochs, bn_sparsity).
        run_dir (Path): Run directory.

    Returns:
        float | None: Mean training time per epoch (seconds), stored beside the run; None if unknown.
    """
    timing = run_dir / 'epoch_time.json'
    if not (run_dir / 'weights' / 'best.pt').is_file():
        timer, durations = epoch_timer()
        YOLOTraining(args.model, bn_sparsity=args.bn_sparsity).train(
            dict(train_args, epochs=args.sparse_epochs), save_dir=str(run_dir), callbacks=timer)
        timing.write_text(json.dumps(dict(epoch_time_s=statistics.mean(durations), epochs=len(durations))))
    return json.loads(timing.read_text())['epoch_time_s'] if timing.is_file() else None


def recover(method: str, pruned: Path, teacher: Path, train_args: dict, seed: int, args: argparse.Namespace,
            work_dir: Path) -> dict:
    """Fine-tune or distil the pruned checkpoint for one seed and measure its ``best.pt``.

    Args:
        method (str): ``'finetune'`` (no teacher) or ``'distill'`` (CWD from ``teacher``).
        pruned (Path): The pruned checkpoint both methods start from.
        teacher (Path): The unpruned sparse-trained checkpoint.
        train_args (dict): Ultralytics train arguments.
        seed (int): Training seed.
        args (argparse.Namespace): Command line (recover_epochs, cwd_weight, tau).
        work_dir (Path): Parent of the run directory.

    Returns:
        dict: Method, seed, metrics, params, GFLOPs, mean train seconds per epoch, epochs.
    """
    run_dir = work_dir / f'{method}_seed{seed}'
    timer, durations = epoch_timer()
    if method == 'distill':
        cwd = dict(type='ChannelWiseDivergence', name='cwd_loss', tau=args.tau, weight=args.cwd_weight)
        trainer = YOLODistiller(student=str(pruned), teacher=str(teacher), distill_cfg=[dict(methods=[cwd])])
    else:
        trainer = YOLOTraining(str(pruned))
    trainer.train(dict(train_args, epochs=args.recover_epochs, seed=seed), save_dir=str(run_dir), callbacks=timer)
    figures = measure(run_dir / 'weights' / 'best.pt', train_args, run_dir / 'val')
    return dict(method=method, seed=seed, **figures, epoch_time_s=round(statistics.mean(durations), 3),
                epochs=len(durations))


def summarize(reference: List[dict], runs: List[dict]) -> List[dict]:
    """One row per model: mean and spread (max - min) of mAP50-95 over seeds, params, GFLOPs, s/epoch.

    Args:
        reference (list[dict]): The unpruned and the pruned-before-recovery models (one measurement each).
        runs (list[dict]): The recovery runs.

    Returns:
        list[dict]: The rows; the distilled row carries ``delta`` against fine-tuning and ``beyond_spread``.
    """
    rows = []
    for group in [[r] for r in reference] + [[r for r in runs if r['method'] == m] for m in METHODS]:
        values = [r[METRIC] for r in group]
        times = [r['epoch_time_s'] for r in group if r.get('epoch_time_s') is not None]
        rows.append(dict(model=group[0]['method'], mean=round(statistics.mean(values), 4),
                         spread=round(max(values) - min(values), 4), params=group[0]['params'],
                         gflops=group[0]['gflops'], epoch_time_s=round(statistics.mean(times), 2) if times else None,
                         seeds=len(values)))
    finetune, distill = rows[-2], rows[-1]
    distill['delta'] = round(distill['mean'] - finetune['mean'], 4)
    distill['beyond_spread'] = abs(distill['delta']) > max(finetune['spread'], distill['spread'])
    return rows


def to_markdown(rows: List[dict], command: str) -> str:
    """The summary as a markdown table with the command that produced it.

    Args:
        rows (list[dict]): From :func:`summarize`.
        command (str): The command line.

    Returns:
        str: The markdown.
    """
    lines = [f'`{command}`', '', '| model | mAP50-95 (mean) | spread (max-min) | params | GFLOPs | train s/epoch | '
             'seeds |', '|---|---|---|---|---|---|---|']
    for r in rows:
        seconds = '-' if r['epoch_time_s'] is None else f"{r['epoch_time_s']:.2f}"
        lines.append(f"| {r['model']} | {r['mean']:.4f} | {r['spread']:.4f} | {r['params']:,} | {r['gflops']:.4f} | "
                     f'{seconds} | {r["seeds"]} |')
    distill = rows[-1]
    verdict = 'exceeds' if distill['beyond_spread'] else 'does not exceed'
    lines += ['', f"distilled - fine-tuned: {distill['delta']:+.4f} mAP50-95, which {verdict} the larger seed spread "
              f"of the two ({max(rows[-2]['spread'], distill['spread']):.4f})."]
    return '\n'.join(lines) + '\n'


def main() -> None:
    """Sparse-train, prune, recover both ways for every seed, and write the tables."""
    args = parse_args()
    train_args: Dict = dict(load_config(args.base).train_args)
    generate_digits('data/digits', DigitsSpec())
    work_dir = Path(args.work_dir)
    sparse_dir = work_dir / 'sparse'
    sparse_time = sparse_train(train_args, args, sparse_dir)
    teacher = sparse_dir / 'weights' / 'best.pt'
    model = load_yolo_model(teacher)
    prune_report = prune_yolo_model(model, PruneSettings(ratio=args.ratio, criterion='bn_scale'),
                                    imgsz=train_args['imgsz'])
    pruned = save_yolo_checkpoint(model, work_dir / 'pruned.pt')
    print(prune_report.table(), flush=True)
    reference = [dict(method='unpruned (sparse-trained)', **measure(teacher, train_args, work_dir / 'val_unpruned'),
                      epoch_time_s=sparse_time),
                 dict(method='pruned, no recovery', **measure(pruned, train_args, work_dir / 'val_pruned'))]
    runs = []
    for i, seed in enumerate(args.seeds):
        for method in METHODS[i % 2:] + METHODS[:i % 2]:  # alternate the order so neither method always runs first
            runs.append(recover(method, pruned, teacher, train_args, seed, args, work_dir))
            print(json.dumps(runs[-1]), flush=True)
    rows = summarize(reference, runs)
    command = 'python ' + ' '.join(sys.argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix('.json').write_text(json.dumps(dict(
        command=command, prune=prune_report.summary(), reference=reference, runs=runs, summary=rows), indent=2))
    out.with_suffix('.md').write_text(to_markdown(rows, command))
    print(to_markdown(rows, command))


if __name__ == '__main__':
    main()
