"""Where mmseg segmentors put their probability on the labelled foreground pixels of a validation set.

    python tools/analysis/seg_confidence.py CONFIG CKPT [CKPT ...] --img-dir DIR --ann-dir DIR [--num 200]

CONFIG is the segmentor's own mmseg config (the student's for distilled students); each checkpoint is loaded into
it (a plain mmseg checkpoint, a student-only one or a full distiller checkpoint). For the first ``--num`` images of
``--img-dir`` (sorted; the label is the ``.png`` of the same name in ``--ann-dir``) each model runs mmseg's
``inference_model``, and on the pixels labelled other than background the table gives the mean probability off
background, on the top foreground class and on the true class, and the share of those pixels where background is
still the argmax. It tells a student that hedges among the foreground classes (probability off background kept,
top class low) from one that gives up on the foreground.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image

from distiller.benchmark.seg_confidence import foreground_confidence, mean_confidence

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Foreground confidence of mmseg segmentors on a labelled split')
    parser.add_argument('config', help="the segmentor's mmseg config")
    parser.add_argument('checkpoints', nargs='+', help='checkpoints to compare (mmseg, student-only or distiller)')
    parser.add_argument('--img-dir', required=True, help='validation images')
    parser.add_argument('--ann-dir', required=True, help='label maps: <image stem>.png')
    parser.add_argument('--num', type=int, default=200, help='first N images (sorted; default 200)')
    parser.add_argument('--background', type=int, default=0, help='background class index (default 0)')
    parser.add_argument('--names', nargs='+', help='row names (default: the checkpoint paths)')
    return parser.parse_args(argv)


def image_pairs(img_dir: str, ann_dir: str, num: int) -> List[tuple]:
    """The first ``num`` (image, label) paths.

    Args:
        img_dir (str): Image folder.
        ann_dir (str): Label folder.
        num (int): How many images.

    Returns:
        list[tuple]: (image path, label path) pairs, sorted by image name.

    Raises:
        ValueError: No image, or an image without its label.
    """
    images = sorted(p for p in Path(img_dir).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)[:num] \
        if Path(img_dir).is_dir() else []
    if not images:
        raise ValueError(f'--img-dir {img_dir}: no images')
    pairs = [(image, Path(ann_dir) / f'{image.stem}.png') for image in images]
    missing = [str(label) for _, label in pairs if not label.is_file()]
    if missing:
        raise ValueError(f'--ann-dir {ann_dir}: no label {missing[0]} (and {len(missing) - 1} more)')
    return pairs


def checkpoint_confidence(config: str, checkpoint: str, pairs: List[tuple], background: int) -> Dict[str, float]:
    """Mean foreground confidence of one checkpoint over ``pairs``.

    Args:
        config (str): The segmentor's mmseg config.
        checkpoint (str): Its weights.
        pairs (list[tuple]): (image, label) paths.
        background (int): Background class index.

    Returns:
        dict: ``mean_confidence`` of the images.
    """
    from mmengine.registry import DefaultScope
    from mmseg.apis import inference_model, init_model

    from distiller.engine.checkpoint_loader import load_checkpoint_for_test
    per_image = []
    with DefaultScope.overwrite_default_scope('mmseg'):  # init_model would make mmseg the process-wide scope
        model = init_model(config, device='cpu')
        load_checkpoint_for_test(model, checkpoint)
        for image, label in pairs:
            with torch.no_grad():
                logits = inference_model(model, str(image)).seg_logits.data
            labels = torch.from_numpy(np.array(Image.open(label))).long()
            per_image.append(foreground_confidence(logits.softmax(dim=0), labels, background))
    return mean_confidence(per_image)


def markdown(rows: Dict[str, Dict[str, float]]) -> str:
    """The comparison table, a row per model.

    Args:
        rows (dict): Model name -> ``mean_confidence`` result.

    Returns:
        str: Markdown.
    """
    lines = ['| model | foreground pixels | probability off background | top foreground class | true class | '
             'background argmax |', '|---|---|---|---|---|---|']
    lines += [f"| {name} | {r['pixels']} | {r['off_background']:.3f} | {r['top_foreground']:.3f} | "
              f"{r['true_class']:.3f} | {100 * r['background_argmax']:.1f} % |" for name, r in rows.items()]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Print the table; 1 with a one-line message on bad input.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    names = args.names or args.checkpoints
    try:
        if len(names) != len(args.checkpoints):
            raise ValueError(f'--names: {len(names)} names for {len(args.checkpoints)} checkpoints')
        if args.num < 1:
            raise ValueError(f'--num must be at least 1, got {args.num}')
        pairs = image_pairs(args.img_dir, args.ann_dir, args.num)
        from distiller.registry import register_all_modules
        register_all_modules(init_default_scope=False)
        rows = {name: checkpoint_confidence(args.config, ckpt, pairs, args.background)
                for name, ckpt in zip(names, args.checkpoints)}
    except (FileNotFoundError, ValueError) as error:
        print(f'seg_confidence: {error}', file=sys.stderr)
        return 1
    print(markdown(rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
