"""YOLO training runs of the efficacy benchmark: a plain or distilled model trained by Ultralytics, read back as its
validation curve."""
import csv
import shutil
import time
from pathlib import Path
from typing import Dict, List

import torch

from .safe_checkpoint import ultralytics_checkpoint_loading

METRIC_KEYS = ('metrics/mAP50-95(P)', 'metrics/mAP50-95(M)', 'metrics/mAP50-95(B)')


def headline_metric(results_csv: Path) -> str:
    """The headline column of an Ultralytics ``results.csv``: pose, then mask, then box mAP50-95.

    Args:
        results_csv (Path): The run's ``results.csv``.

    Returns:
        str: The column name.
    """
    with open(results_csv) as handle:
        columns = [c.strip() for c in next(csv.reader(handle))]
    return next(key for key in METRIC_KEYS if key in columns)


def validation_curve(save_dir: Path) -> List[list]:
    """Per-epoch validation metrics of an Ultralytics run.

    Args:
        save_dir (Path): The run directory (with ``results.csv``).

    Returns:
        list: ``[epoch, {headline metric name: value}]`` per epoch.
    """
    path = save_dir / 'results.csv'
    metric = headline_metric(path)
    with open(path) as handle:
        rows = [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]
    return [[int(float(row['epoch'])), {metric: float(row[metric])}] for row in rows]


def train_yolo(model: str, train_args: Dict, save_dir: Path, distiller=None) -> Dict:
    """Train a plain model (``YOLO(model).train``) or, with ``distiller``, a distilled student.

    Args:
        model (str): Model yaml or checkpoint (ignored with ``distiller``).
        train_args (dict): Ultralytics train arguments.
        save_dir (Path): Run directory (emptied first).
        distiller (YOLODistiller, optional): Distil with it instead of training plainly.

    Returns:
        dict: ``train_s``, ``curve`` (with the final validation of ``best.pt`` as the last point) and ``checkpoint``.
    """
    from ultralytics import YOLO
    shutil.rmtree(save_dir, ignore_errors=True)
    start = time.perf_counter()
    if distiller is not None:
        metrics = distiller.train(dict(train_args), save_dir=str(save_dir))
    else:
        with ultralytics_checkpoint_loading():
            metrics = YOLO(model).train(**dict(train_args, save_dir=str(save_dir)))
    seconds = time.perf_counter() - start
    curve = validation_curve(save_dir)
    metric = next(iter(curve[-1][1]))
    curve.append([curve[-1][0], {metric: float(metrics.results_dict[metric])}])
    return dict(train_s=seconds, curve=curve, checkpoint=str(save_dir / 'weights' / 'best.pt'))


def yolo_complexity(checkpoint: str, imgsz: int) -> Dict[str, float]:
    """Parameters and FLOPs (thop, 2 x MACs) of a trained YOLO checkpoint at ``imgsz``.

    Args:
        checkpoint (str): ``best.pt``.
        imgsz (int): Square input side.

    Returns:
        dict: ``params`` and ``gflops``.
    """
    from ultralytics import YOLO

    from ..pruning.stats import count_flops
    with ultralytics_checkpoint_loading():
        net = YOLO(checkpoint).model.float().eval()
    return dict(params=sum(p.numel() for p in net.parameters()),
                gflops=count_flops(net, torch.zeros(1, 3, imgsz, imgsz)) / 1e9)
