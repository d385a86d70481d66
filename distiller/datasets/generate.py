"""Generate the digits dataset in every format the framework trains on.

Layout under ``out_dir`` (``{split}`` is ``train`` or ``val``, files are ``000000.png``, ``000001.png``, ...)::

    images/{split}/*.png                  RGB canvases (shared by all formats)
    annotations/instances_{split}.json    COCO boxes + RLE masks, category i + 1 = digit i (mmdet CocoDataset)
    ann_dir/{split}/*.png                 semantic maps, 0 = background, 1 + i = digit i (mmseg BaseSegDataset)
    yolo/{detect,segment,pose}/           Ultralytics roots: images/{split} (hard links), labels/{split}, dataset yaml
    meta.json                             the spec; its ``counts`` are filled in once every file is written

Every canvas draws from its own generator seeded with ``(seed, split, index)``, so the same spec gives byte-identical
files and growing ``num_val`` leaves the training images unchanged.
"""
import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

from .coco_writer import CocoSplitWriter
from .digits import CanvasSpec, load_digit_scans, render_canvas
from .yolo_writer import YAML_NAMES, YOLO_TASKS, dataset_yaml, label_text

FORMAT_VERSION = 1
META_FILE = 'meta.json'
OUTPUT_ENTRIES = ('images', 'annotations', 'ann_dir', 'yolo', META_FILE)
SPLITS = ('train', 'val')


@dataclasses.dataclass(frozen=True)
class DigitsSpec:
    """Everything that decides the generated files.

    Args:
        num_train (int): Number of training images.
        num_val (int): Number of validation images.
        seed (int): Base random seed.
        canvas (CanvasSpec): How each canvas is drawn.
    """

    num_train: int = 200
    num_val: int = 50
    seed: int = 0
    canvas: CanvasSpec = CanvasSpec()

    def __post_init__(self) -> None:
        if self.num_train < 1 or self.num_val < 1:
            raise ValueError(f'num_train and num_val must be at least 1, got {self.num_train} and {self.num_val}')

    def to_json(self) -> dict:
        """The spec as plain json values (tuples become lists), as stored in ``meta.json``.

        Returns:
            dict: The spec and the format version.
        """
        return json.loads(json.dumps(dict(format_version=FORMAT_VERSION, **dataclasses.asdict(self))))


def read_meta(out_dir: Path) -> Optional[dict]:
    """Read ``meta.json`` of a generated dataset.

    Args:
        out_dir (Path): Dataset root.

    Returns:
        dict, optional: The stored meta data (``counts`` is None while a generation is unfinished), or None when
        the folder holds no generation.
    """
    path = out_dir / META_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def clear_outputs(out_dir: Path) -> None:
    """Remove what an earlier generation wrote (only the entries this generator owns).

    Args:
        out_dir (Path): Dataset root.
    """
    for name in OUTPUT_ENTRIES:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst``, copying where the file system has no hard links.

    Args:
        src (Path): Existing file.
        dst (Path): New path.
    """
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def write_split(out_dir: Path, split: str, num_images: int, spec: DigitsSpec, scans: np.ndarray,
                targets: np.ndarray) -> Dict[str, int]:
    """Render and write the images and labels of one split in every format.

    Args:
        out_dir (Path): Dataset root.
        split (str): ``train`` or ``val``.
        num_images (int): Number of images.
        spec (DigitsSpec): Generation settings.
        scans (np.ndarray): Digit scans.
        targets (np.ndarray): Digit classes.

    Returns:
        dict[str, int]: Number of ``images`` and ``instances`` written.
    """
    image_dir, sem_dir = out_dir / 'images' / split, out_dir / 'ann_dir' / split
    yolo_dirs = {task: out_dir / 'yolo' / task for task in YOLO_TASKS}
    for folder in [image_dir, sem_dir] + [d / sub / split for d in yolo_dirs.values() for sub in ('images', 'labels')]:
        folder.mkdir(parents=True, exist_ok=True)
    coco = CocoSplitWriter()
    for index in range(num_images):
        rng = np.random.default_rng([spec.seed, SPLITS.index(split), index])
        canvas = render_canvas(scans, targets, spec.canvas, rng)
        name = f'{index:06d}'
        cv2.imwrite(str(image_dir / f'{name}.png'), cv2.cvtColor(canvas.image, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(sem_dir / f'{name}.png'), canvas.semantic_map())
        coco.add(canvas, f'{name}.png')
        for task, root in yolo_dirs.items():
            link_or_copy(image_dir / f'{name}.png', root / 'images' / split / f'{name}.png')
            (root / 'labels' / split / f'{name}.txt').write_text(label_text(task, canvas.masks, canvas.labels))
    coco.write(out_dir / 'annotations' / f'instances_{split}.json')
    return dict(images=num_images, instances=len(coco.annotations))


def generate_digits(out_dir: str, spec: DigitsSpec, force: bool = False) -> Tuple[dict, bool]:
    """Generate the dataset unless ``out_dir`` already holds a finished generation of the same spec.

    Args:
        out_dir (str): Dataset root (created if missing).
        spec (DigitsSpec): Generation settings.
        force (bool): Regenerate even when ``meta.json`` matches ``spec``.

    Returns:
        tuple[dict, bool]: The dataset's meta data and whether files were written.
    """
    root = Path(out_dir)
    meta = read_meta(root)
    if not force and meta is not None and meta['spec'] == spec.to_json() and meta['counts'] is not None:
        return meta, False
    foreign = [name for name in OUTPUT_ENTRIES if (root / name).exists()]
    if meta is None and foreign and not force:
        raise FileExistsError(f'{root} holds {", ".join(foreign)} but no {META_FILE} of this generator; '
                              'pass force=True (--force) to replace them')
    clear_outputs(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / META_FILE).write_text(json.dumps(dict(spec=spec.to_json(), counts=None)))
    scans, targets = load_digit_scans()
    counts = {split: write_split(root, split, num, spec, scans, targets)
              for split, num in zip(SPLITS, (spec.num_train, spec.num_val))}
    for task in YOLO_TASKS:
        (root / 'yolo' / task / YAML_NAMES[task]).write_text(dataset_yaml(task))
    meta = dict(spec=spec.to_json(), counts=counts)
    (root / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + '\n')
    return meta, True
