"""Training runs shared by the demo and the efficacy benchmark: each model is trained by the real tool (the
caller's ``tools/train.py`` for mmseg/mmdet, Ultralytics' trainer for YOLO) and read back as a validation curve."""
import ast
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from ..utils import load_config

_NOT_METRICS = ('step', 'time', 'data_time', 'iter')


def run_script(args: List[str], cwd: Path, tag: str = 'run') -> float:
    """Run ``python <args>`` in ``cwd``, streaming its output.

    Args:
        args (list[str]): Script and arguments.
        cwd (Path): Working directory (the relative paths of the configs are read from it).
        tag (str): Prefix of the echoed command line.

    Returns:
        float: Wall time in seconds.
    """
    print(f'\n[{tag}] python {" ".join(args)}', flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=str(cwd), check=True)
    return time.perf_counter() - start


def mm_train_args(train_script: Path, config: str, work_dir: Path, seed: int, options: List[str]) -> List[str]:
    """The arguments of one seeded ``tools/train.py`` run.

    Args:
        train_script (Path): The ``tools/train.py`` to run.
        config (str): The config to train.
        work_dir (Path): Its work dir.
        seed (int): ``randomness.seed`` (the first ``--cfg-options`` entry).
        options (list[str]): Further ``--cfg-options``.

    Returns:
        list[str]: Script and arguments, for ``python``.
    """
    return [str(train_script), config, '--work-dir', str(work_dir), '--cfg-options', f'randomness.seed={seed}',
            *options]


def mm_run_result(work_dir: Path) -> Dict:
    """The validation curve and the last checkpoint of a finished ``tools/train.py`` run.

    Args:
        work_dir (Path): The run's work dir.

    Returns:
        dict: ``curve`` (see :func:`mm_validation_curve`) and ``checkpoint``.
    """
    return dict(curve=mm_validation_curve(work_dir), checkpoint=(work_dir / 'last_checkpoint').read_text().strip())


def mm_iterations(config: str, options: List[str]) -> int:
    """``train_cfg.max_iters`` of an mm config after its ``--cfg-options``.

    Args:
        config (str): The config.
        options (list[str]): ``key=value`` overrides.

    Returns:
        int: The number of training iterations.
    """
    return int(parse_options(options).get('train_cfg.max_iters', load_config(config).train_cfg.max_iters))


def train_mm(train_script: Path, config: str, work_dir: Path, seed: int, options: List[str],
             tag: str = 'run') -> Dict:
    """Train an mmseg/mmdet (or distiller) config with ``tools/train.py`` and read its validation curve.

    Args:
        train_script (Path): The ``tools/train.py`` to run; its repository is the working directory.
        config (str): The config to train.
        work_dir (Path): Its work dir (emptied first, so the curve is this run's).
        seed (int): ``randomness.seed``.
        options (list[str]): Further ``--cfg-options``.
        tag (str): Prefix of the echoed command line.

    Returns:
        dict: ``train_s``, ``curve`` (list of [iteration, metrics]) and ``checkpoint`` (the last one).
    """
    shutil.rmtree(work_dir, ignore_errors=True)
    seconds = run_script(mm_train_args(train_script, config, work_dir, seed, options), train_script.parents[1], tag)
    return dict(train_s=seconds, **mm_run_result(work_dir))


def mm_validation_curve(work_dir: Path) -> List[list]:
    """The validation metrics the mmengine Runner logged, in order.

    A validation whose evaluator returned nothing (mmdet's CocoMetric when a model predicts no box at all) is kept as
    an empty dict: its metrics read as 0.

    Args:
        work_dir (Path): A finished run's work dir.

    Returns:
        list: ``[iteration, {metric: value}]`` per validation.
    """
    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))
    if not scalars:
        raise FileNotFoundError(f'{work_dir}: no vis_data/scalars.json (was the run validated?)')
    curve = []
    for line in scalars[-1].read_text().splitlines():
        record = json.loads(line)
        if 'lr' in record or any('loss' in key for key in record):
            continue  # a training record
        curve.append([record['step'], {k: v for k, v in record.items() if k not in _NOT_METRICS}])
    return curve


def main_metric(curve: List[list]) -> str:
    """The headline metric of a curve: ``mIoU`` (mmseg), ``coco/bbox_mAP`` (mmdet), else the one metric of a
    YOLO curve (mask/pose/box mAP50-95).

    Args:
        curve (list): A validation curve.

    Returns:
        str: The metric name.

    Raises:
        ValueError: If no validation of the curve has a metric.
    """
    names = sorted({name for _, metrics in curve for name in metrics})
    if not names:
        raise ValueError('no validation of this run returned a metric')
    return next((k for k in ('mIoU', 'coco/bbox_mAP') if k in names), names[0])


def kept_teacher(target: Path, data: Optional[Dict] = None) -> Optional[Dict]:
    """The record of a teacher kept at ``target`` with its ``<target>.json`` beside it, or None.

    Args:
        target (Path): Where the teacher is kept.
        data (dict, optional): The data it must have been trained and validated on (a record naming other data,
            or none where some is asked for, is not this teacher).

    Returns:
        dict, optional: ``train_s``, ``curve``, ``checkpoint`` and ``reused=True``.
    """
    record = target.with_suffix('.json')
    if not (target.is_file() and record.is_file()):
        return None
    kept = json.loads(record.read_text())
    if kept.get('data') != data:
        return None
    return dict(kept, checkpoint=str(target), reused=True)


def record_teacher(result: Dict, target: Path, data: Optional[Dict] = None) -> Dict:
    """Write ``<target>.json`` (the curve, train time and data of a teacher just kept at ``target``).

    Args:
        result (dict): What :func:`train_mm` (or the YOLO run) returned for the teacher.
        target (Path): Where its checkpoint was kept.
        data (dict, optional): The data it was trained on, when not the default.

    Returns:
        dict: ``result`` with ``checkpoint=target`` and ``reused=False``.
    """
    record = dict(train_s=result['train_s'], curve=result['curve'], **({'data': data} if data else {}))
    target.with_suffix('.json').write_text(json.dumps(record))
    return dict(result, checkpoint=str(target), reused=False)


def teacher_run(target: Path, train_teacher: Callable[[], Dict], keep: Callable[[Dict, Path], None],
                tag: str = 'run', data: Optional[Dict] = None) -> Dict:
    """Train the teacher, or reuse the checkpoint at ``target`` and its sidecar record.

    Args:
        target (Path): Where the teacher is kept (``<target>.json`` holds its metric curve and train time).
        train_teacher (Callable): Trains it; returns what :func:`train_mm` returns.
        keep (Callable): ``keep(result, target)`` puts the trained checkpoint at ``target``.
        tag (str): Prefix of the message.
        data (dict, optional): The suite's own data (``root``, ``num_val``): a kept teacher of other data is
            trained again.

    Returns:
        dict: As :func:`train_mm`, plus ``reused``.
    """
    kept = kept_teacher(target, data)
    if kept is not None:
        print(f'[{tag}] reusing the teacher {target} (delete it to train a new one)', flush=True)
        return kept
    if target.is_file() and target.with_suffix('.json').is_file():
        print(f'[{tag}] the teacher kept at {target} was trained on other data; training it again', flush=True)
    result = train_teacher()
    keep(result, target)
    return record_teacher(result, target, data)


def copy_checkpoint(result: Dict, target: Path) -> None:
    """Copy a run's checkpoint (mm: the last one; YOLO: ``best.pt``) to ``target``.

    Args:
        result (dict): What :func:`train_mm` (or the YOLO run) returned.
        target (Path): Destination.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result['checkpoint'], target)


def parse_options(options: List[str]) -> Dict:
    """``key=value`` strings as a dict for ``Config.merge_from_dict`` (values read as Python literals when they
    parse, else kept as strings).

    Args:
        options (list[str]): The ``--cfg-options``.

    Returns:
        dict: Dotted key -> value.
    """
    parsed = {}
    for option in options:
        key, _, value = option.partition('=')
        try:
            parsed[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed[key] = value
    return parsed
