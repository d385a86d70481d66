"""One table comparing checkpoints: parameters, FLOPs, accuracy and CPU latency (e.g. original, pruned, pruned and
distilled).

YOLO checkpoints (``.pt``) are measured with Ultralytics: FLOPs by thop (as Ultralytics counts them) and mAP50-95
by its validator on ``--data``. mmdet/mmseg checkpoints (``.pth``, pruned or not) need ``--config``, the model's own
runner config: its test dataloader and evaluator give the metric (mIoU, COCO mAP) through the mmengine Runner.

Usage:
    python tools/analysis/compare.py yolov8n.pt pruned.pt distilled/weights/best.pt --data digits.yaml --imgsz 128
    python tools/analysis/compare.py student.pth pruned.pth recovered.pth --config configs/students/pspnet_r18_digits.py

Writes ``<out>/<name>.md`` and ``<out>/<name>.json`` (default ``results/compare.*``).
"""
import argparse
import copy
import json
import statistics
import time
from pathlib import Path
from typing import Dict, List, Optional

import torch
from torch import nn

from distiller.engine.mm_pruning import build_mm_model
from distiller.pruning import count_flops, resize_for_checkpoint
from distiller.yolo.pruning import load_yolo_model
from distiller.yolo.safe_checkpoint import ultralytics_checkpoint_loading


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Compare checkpoints: params, FLOPs, metric, CPU latency')
    parser.add_argument('checkpoints', nargs='+', help='YOLO .pt files, or mm .pth files with --config')
    parser.add_argument('--labels', nargs='+', help='row labels (default: the file names)')
    parser.add_argument('--config', help='runner config of the mm model (dataset and evaluator for the metric)')
    parser.add_argument('--data', help='YOLO data yaml for the mAP50-95 column')
    parser.add_argument('--no-metric', action='store_true', help='leave out the metric column')
    parser.add_argument('--imgsz', type=int, default=640, help='image side for FLOPs, latency and YOLO validation')
    parser.add_argument('--runs', type=int, default=20, help='timed forward passes (the median is reported)')
    parser.add_argument('--warmup', type=int, default=3, help='untimed forward passes before timing')
    parser.add_argument('--threads', type=int, default=1, help='torch CPU threads while timing')
    parser.add_argument('--out', default='results', help='directory of the .md / .json outputs')
    parser.add_argument('--name', default='compare', help='file name stem of the outputs')
    args = parser.parse_args(argv)
    if args.labels and len(args.labels) != len(args.checkpoints):
        parser.error(f'--labels: got {len(args.labels)} labels for {len(args.checkpoints)} checkpoints')
    if any(not _is_yolo(path) for path in args.checkpoints) and not args.config:
        parser.error('--config: an mm checkpoint (.pth) needs the config of its model')
    return args


def _is_yolo(path: str) -> bool:
    """Whether ``path`` is a YOLO checkpoint or yaml."""
    return Path(path).suffix in ('.pt', '.yaml', '.yml')


@torch.no_grad()
def cpu_latency_ms(model: nn.Module, inputs: torch.Tensor, runs: int, warmup: int, threads: int) -> float:
    """Median CPU time of one forward pass, in milliseconds.

    Args:
        model (nn.Module): The model (eval mode).
        inputs (torch.Tensor): The batch.
        runs (int): Timed passes.
        warmup (int): Untimed passes first.
        threads (int): Torch threads during the measurement.

    Returns:
        float: Median milliseconds.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for _ in range(warmup):
            model(inputs)
        times = []
        for _ in range(max(runs, 1)):
            start = time.perf_counter()
            model(inputs)
            times.append((time.perf_counter() - start) * 1000.0)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times)


def yolo_metric(path: str, data: str, imgsz: int, save_dir: Path) -> Dict[str, float]:
    """mAP50-95 of a YOLO checkpoint on ``data`` with Ultralytics' validator (CPU).

    Args:
        path (str): The checkpoint.
        data (str): Data yaml.
        imgsz (int): Validation image size.
        save_dir (Path): Where the validator writes.

    Returns:
        dict: ``{'mAP50-95': value}`` (box mAP; segment/pose models add their mask/pose mAP).
    """
    from ultralytics import YOLO
    with ultralytics_checkpoint_loading():
        metrics = YOLO(path).val(data=data, imgsz=imgsz, batch=4, device='cpu', workers=0, plots=False,
                                 verbose=False, save_dir=str(save_dir))
    result = {'mAP50-95': float(metrics.box.map)}
    for kind in ('seg', 'pose'):
        if hasattr(metrics, kind):
            result[f'{kind} mAP50-95'] = float(getattr(metrics, kind).map)
    return result


def mm_metric(config: str, checkpoint: str, work_dir: Path) -> Dict[str, float]:
    """The config's test evaluator on a (possibly pruned) mm checkpoint, through the mmengine Runner.

    Args:
        config (str): Runner config of the model (or a distiller config: its student is tested).
        checkpoint (str): Plain, student-only or distiller checkpoint.
        work_dir (Path): The Runner's work dir.

    Returns:
        dict: The evaluator's metrics (``mIoU``, ``coco/bbox_mAP``, ...).
    """
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner

    from distiller.engine import load_checkpoint_for_test
    from distiller.registry import register_all_modules
    from distiller.utils import load_runner_config
    register_all_modules(init_default_scope=False)
    cfg = load_runner_config(config, None, str(work_dir))
    cfg.load_from, cfg.resume = None, False
    if 'teacher_pretrained' in cfg.model:
        cfg.model.teacher_pretrained = None
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):  # the Runner's scope ends with the test
        runner = Runner.from_cfg(cfg)
        resize_for_checkpoint(runner.model, checkpoint)
        load_checkpoint_for_test(runner.model, checkpoint)
        return {key: float(value) for key, value in runner.test().items()}


def measure(path: str, label: str, args: argparse.Namespace, out: Path) -> Dict:
    """One row of the table.

    Args:
        path (str): The checkpoint.
        label (str): Its label.
        args (argparse.Namespace): Command line.
        out (Path): Output directory (validation work dirs go under it).

    Returns:
        dict: label, checkpoint, params, GFLOPs, latency_ms and the metrics.
    """
    inputs = torch.zeros(1, 3, args.imgsz, args.imgsz)
    if _is_yolo(path):
        model = load_yolo_model(path).eval()
        timed = copy.deepcopy(model).fuse(verbose=False)  # conv+BN folded, as Ultralytics deploys it
    else:
        model = timed = build_mm_model(args.config, path)
    row = dict(label=label, checkpoint=str(path), params=sum(p.numel() for p in model.parameters()),
               gflops=count_flops(model, inputs) / 1e9,
               latency_ms=cpu_latency_ms(timed, inputs, args.runs, args.warmup, args.threads), metrics={})
    if not args.no_metric:
        work = out / f'{args.name}_eval' / label
        if _is_yolo(path) and args.data:
            row['metrics'] = yolo_metric(path, args.data, args.imgsz, work)
        elif not _is_yolo(path):
            row['metrics'] = mm_metric(args.config, path, work)
    return row


def markdown(rows: List[Dict], args: argparse.Namespace) -> str:
    """The comparison table.

    Args:
        rows (list[dict]): What :func:`measure` returned, the reference first.
        args (argparse.Namespace): Command line (image size, runs, threads for the header).

    Returns:
        str: Markdown.
    """
    metric_names: List[str] = []
    for row in rows:
        metric_names += [name for name in row['metrics'] if name not in metric_names]
    ref = rows[0]
    head = ['model', 'params', 'params vs first', 'GFLOPs', 'FLOPs vs first', *metric_names,
            f'CPU latency ms (median of {args.runs}, {args.threads} thread)']
    lines = [f'Input 1x3x{args.imgsz}x{args.imgsz}; FLOPs = 2 x MACs counted by thop.', '',
             '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for row in rows:
        metrics = [f'{row["metrics"][name]:.4f}' if name in row['metrics'] else '-' for name in metric_names]
        cells = [row['label'], f'{row["params"]:,}', f'{row["params"] / ref["params"]:.3f}', f'{row["gflops"]:.4f}',
                 f'{row["gflops"] / max(ref["gflops"], 1e-12):.3f}', *metrics, f'{row["latency_ms"]:.2f}']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None) -> Optional[List[Dict]]:
    """Measure every checkpoint, print the table, write it as markdown and JSON.

    Args:
        argv (list[str], optional): Command-line arguments.

    Returns:
        list[dict]: The rows.
    """
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    labels = args.labels or [Path(path).stem for path in args.checkpoints]
    rows = [measure(path, label, args, out) for path, label in zip(args.checkpoints, labels)]
    table = markdown(rows, args)
    print(table)
    (out / f'{args.name}.md').write_text(table + '\n')
    (out / f'{args.name}.json').write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == '__main__':
    main()
