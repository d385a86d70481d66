"""Structured channel pruning of a YOLO model or an mmdet/mmseg model, with a before/after table.

The dependency graph of Torch-Pruning removes whole channels (a conv's filters, its BatchNorm entries and the
matching inputs of every layer that reads them), so the result is a smaller dense model. Heads are kept by default.

Usage:
    python tools/prune.py yolov8n.pt --ratio 0.3 --out work_dirs/pruned/yolov8n_p30.pt
    python tools/prune.py configs/students/pspnet_r18_digits.py --checkpoint student.pth --ratio 0.3 \
        --out work_dirs/pruned/pspnet_r18_p30.pth
    python tools/prune.py CONFIG_OR_PT --criterion magnitude --global --keep backbone.stem decode_head.conv_seg ...

A YOLO result is an ordinary Ultralytics checkpoint (``YOLO(out).val()``); an mm result is a weights-only
checkpoint that the model config plus :func:`distiller.pruning.load_pruned_checkpoint` (or a distiller's
``student_pruned``) rebuilds.
"""
import argparse
import json
from pathlib import Path

from distiller.engine.mm_pruning import build_mm_model, prune_mm_model, save_mm_checkpoint
from distiller.pruning import CRITERIA, PruneSettings
from distiller.yolo.pruning import load_yolo_model, prune_yolo_model, save_yolo_checkpoint


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Prune the channels of a YOLO or mmdet/mmseg model')
    parser.add_argument('model', help='YOLO checkpoint (.pt) or model yaml, or an mmdet/mmseg model config (.py)')
    parser.add_argument('--checkpoint', help='weights of an mm model config (plain, student-only or distiller)')
    parser.add_argument('--ratio', type=float, default=0.3, help='fraction of channels to remove, in (0, 1)')
    parser.add_argument('--criterion', default='bn_scale', help=f'channel ranking: {", ".join(CRITERIA)}')
    parser.add_argument('--global', dest='global_pruning', action='store_true',
                        help='rank all channels of the model together instead of every layer by --ratio')
    parser.add_argument('--keep', nargs='+', metavar='MODULE',
                        help='modules whose output channels stay (default: the heads)')
    parser.add_argument('--round-to', type=int, help='keep channel counts multiples of this')
    parser.add_argument('--imgsz', type=int, default=640, help='image side for tracing and FLOPs')
    parser.add_argument('--out', required=True, help='pruned checkpoint to write (.pt for YOLO, .pth for mm)')
    return parser.parse_args(argv)


def is_yolo_source(path: str) -> bool:
    """Whether ``path`` names a YOLO checkpoint or model yaml (anything but a Python config).

    Args:
        path (str): The ``model`` argument.

    Returns:
        bool: True for ``.pt`` / ``.yaml`` / ``.yml``.
    """
    return Path(path).suffix in ('.pt', '.yaml', '.yml')


def main(argv=None) -> dict:
    """Prune, save, print the table.

    Args:
        argv (list[str], optional): Command-line arguments.

    Returns:
        dict: The pruning record stored in the checkpoint.
    """
    args = parse_args(argv)
    settings = PruneSettings(ratio=args.ratio, criterion=args.criterion, global_pruning=args.global_pruning,
                             keep=args.keep, round_to=args.round_to)
    if is_yolo_source(args.model):
        model = load_yolo_model(args.model)
        report = prune_yolo_model(model, settings, imgsz=args.imgsz)
        save_yolo_checkpoint(model, args.out)
    else:
        model = build_mm_model(args.model, args.checkpoint)
        report = prune_mm_model(model, settings, input_shape=(1, 3, args.imgsz, args.imgsz))
        save_mm_checkpoint(model, args.out, report)
    print(report.table())
    print(f'kept modules: {", ".join(report.keep) or "(none)"}; channels removed: {report.removed_channels}')
    print(f'pruned checkpoint written to {args.out}')
    summary = report.summary()
    Path(args.out).with_suffix('.json').write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == '__main__':
    main()
