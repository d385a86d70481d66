"""How large each distillation loss ran against the student's own task loss, read back from a finished run's logs.

An mmengine run (a work dir with ``<timestamp>/vis_data/scalars.json`` and the dumped config) names its distillation
losses in the config's ``distill_cfg``; every other logged key with ``loss`` in it (but not the total ``loss``) is
the student's task loss. An Ultralytics run (a save dir with ``results.csv``) logs the task's own loss items
(``box_loss``, ``cls_loss``, ...) beside the distillation items, both per image and on the same scale.
"""
import csv
import json
import statistics
from pathlib import Path
from typing import Dict, List, Sequence

from mmengine.config import Config

from distiller.core.distill_cfg import method_name

# Ultralytics' own loss items (detect, segment, pose, OBB); every other ``train/*_loss`` column is a distillation loss.
YOLO_TASK_LOSSES = ('box_loss', 'cls_loss', 'dfl_loss', 'seg_loss', 'pose_loss', 'kobj_loss', 'angle_loss')
# Logged by an online (trained) teacher: neither the student's task nor a distillation loss.
YOLO_OTHER_LOSSES = ('teacher_loss',)


def read_run(run_dir: Path) -> List[Dict[str, float]]:
    """The run's training log as rows of ``step``, ``task`` (the student's task loss) and one key per distillation
    loss, in step order.

    Args:
        run_dir (Path): An mmengine work dir or an Ultralytics save dir.

    Returns:
        list[dict]: One row per logged iteration (mmengine) or epoch (Ultralytics).

    Raises:
        FileNotFoundError: If the directory holds neither log.
        ValueError: If the log has no training rows.
    """
    run_dir = Path(run_dir)
    if (run_dir / 'results.csv').is_file():
        rows = _read_yolo(run_dir / 'results.csv')
    else:
        scalars = sorted(run_dir.glob('*/vis_data/scalars.json'))
        if not scalars:
            raise FileNotFoundError(f'{run_dir}: no results.csv (Ultralytics) or */vis_data/scalars.json (mmengine)')
        rows = _read_mm(scalars[-1], _distill_names(run_dir))
    if not rows:
        raise ValueError(f'{run_dir}: the log has no training rows')
    return rows


def summarize_run(rows: Sequence[Dict[str, float]], window: float = 0.1) -> Dict:
    """Task loss and distillation-to-task ratios at the start and the end of a run.

    Args:
        rows (Sequence[dict]): What :func:`read_run` returns.
        window (float): Share of the rows averaged at each end (at least one row).

    Returns:
        dict: ``task`` and ``ratio`` (all distillation losses over the task loss) as ``(start, end)`` pairs,
        ``terms`` (per distillation loss, its ``(start, end)`` ratio) and ``steps`` (the last step).
    """
    count = max(1, round(len(rows) * window))
    ends = (rows[:count], rows[-count:])
    names = [key for key in rows[0] if key not in ('step', 'task')]

    def mean(part: Sequence[Dict[str, float]], key: str) -> float:
        return statistics.mean(row[key] for row in part)

    task = tuple(mean(part, 'task') for part in ends)
    terms = {name: tuple(mean(part, name) / t for part, t in zip(ends, task)) for name in names}
    ratio = tuple(sum(term[i] for term in terms.values()) for i in range(2))
    return dict(task=task, ratio=ratio, terms=terms, steps=rows[-1]['step'])


def loss_scale_markdown(summaries: Dict[str, Dict]) -> str:
    """A markdown table of :func:`summarize_run` results, one row per run.

    Args:
        summaries (dict): Run label -> summary.

    Returns:
        str: The table.
    """
    lines = ['| run | steps | task loss, start -> end | distillation / task, start -> end | per term (start -> end) |',
             '|---|---|---|---|---|']
    for label, summary in summaries.items():
        terms = ', '.join(f'{name} {start:.2f} -> {end:.2f}' for name, (start, end) in summary['terms'].items())
        lines.append(f"| {label} | {summary['steps']:g} | {summary['task'][0]:.3f} -> {summary['task'][1]:.3f} | "
                     f"{summary['ratio'][0]:.2f} -> {summary['ratio'][1]:.2f} | {terms or '-'} |")
    return '\n'.join(lines)


def _distill_names(run_dir: Path) -> List[str]:
    """The distillation loss names of the config an mmengine run dumped into its work dir (none for a plain run)."""
    configs = sorted(run_dir.glob('*.py'))
    if not configs:
        raise FileNotFoundError(f'{run_dir}: no dumped config (*.py) to read the distillation loss names from')
    model = Config.fromfile(str(configs[0])).get('model', {})
    return [method_name(method) for entry in model.get('distill_cfg', []) or [] for method in entry['methods']]


def _read_mm(path: Path, distill: Sequence[str]) -> List[Dict[str, float]]:
    """Training rows of an mmengine ``scalars.json``: task loss and each distillation loss per logged iteration."""
    rows = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if 'loss' not in record:
            continue
        task = sum(value for key, value in record.items()
                   if 'loss' in key and key != 'loss' and key not in distill
                   and not any(key.startswith(name + '.') for name in distill))
        rows.append(dict(step=record['iter'], task=task, **{name: record.get(name, 0.0) for name in distill}))
    return rows


def _read_yolo(path: Path) -> List[Dict[str, float]]:
    """Training rows of an Ultralytics ``results.csv``: task loss and each distillation loss per epoch."""
    with open(path) as handle:
        records = [{key.strip(): value for key, value in row.items()} for row in csv.DictReader(handle)]
    rows = []
    for record in records:
        losses = {key[len('train/'):]: float(value) for key, value in record.items()
                  if key.startswith('train/') and key.endswith('_loss')}
        task = sum(value for key, value in losses.items() if key in YOLO_TASK_LOSSES)
        rows.append(dict(step=float(record['epoch']), task=task,
                         **{key: value for key, value in losses.items()
                            if key not in YOLO_TASK_LOSSES and key not in YOLO_OTHER_LOSSES}))
    return rows
