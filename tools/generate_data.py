"""Generate the embedded digits dataset (COCO, mmseg semantic maps and YOLO detect/segment/pose labels).

Usage:
    python tools/generate_data.py [--out data/digits] [--num-train 200] [--num-val 50] [--img-size 128] [--seed 0]

A second run with the same arguments finds ``<out>/meta.json`` and writes nothing; other arguments replace the
previous generation.
"""
import argparse
from pathlib import Path

from distiller.datasets import YAML_NAMES, CanvasSpec, DigitsSpec, generate_digits


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    defaults, canvas = DigitsSpec(), CanvasSpec()
    parser = argparse.ArgumentParser(description='Generate the digits detection/segmentation/pose dataset')
    parser.add_argument('--out', default='data/digits', help='dataset root (default: %(default)s)')
    parser.add_argument('--num-train', type=int, default=defaults.num_train, help='training images (%(default)s)')
    parser.add_argument('--num-val', type=int, default=defaults.num_val, help='validation images (%(default)s)')
    parser.add_argument('--img-size', type=int, default=canvas.img_size, help='square canvas side (%(default)s)')
    parser.add_argument('--digits', type=int, nargs=2, metavar=('MIN', 'MAX'), default=canvas.digits_per_image,
                        help='digits per image, inclusive range (default: %(default)s)')
    parser.add_argument('--digit-size', type=int, nargs=2, metavar=('MIN', 'MAX'), default=canvas.digit_size,
                        help='digit height in pixels, inclusive range (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=defaults.seed, help='random seed (%(default)s)')
    parser.add_argument('--force', action='store_true', help='regenerate even if the same arguments were generated')
    return parser.parse_args()


def main() -> None:
    """Generate the dataset and print where everything went."""
    args = parse_args()
    canvas = CanvasSpec(img_size=args.img_size, digits_per_image=tuple(args.digits), digit_size=tuple(args.digit_size))
    spec = DigitsSpec(num_train=args.num_train, num_val=args.num_val, seed=args.seed, canvas=canvas)
    meta, written = generate_digits(args.out, spec, force=args.force)
    out = Path(args.out)
    if not written:
        print(f'{out} already holds this generation (seed {args.seed}); nothing written. Use --force to redo it.')
    counts = ', '.join(f'{split}: {n["images"]} images / {n["instances"]} digits'
                       for split, n in meta['counts'].items())
    print(f'digits dataset in {out} ({counts})')
    print(f'  mmdet  COCO boxes + masks: {out}/annotations/instances_{{train,val}}.json, images in {out}/images/')
    print(f'  mmseg  semantic maps:      {out}/ann_dir/{{train,val}}/ (0 = background, 1 + d = digit d)')
    for task, name in YAML_NAMES.items():
        print(f'  YOLO   {task + ":":<20}{out}/yolo/{task}/{name}')


if __name__ == '__main__':
    main()
