"""The one-command demo: a teacher, a plain student and a distilled student on the embedded digits data, compared.

Steps (each a real ``tools/*.py`` run whose progress streams to the terminal):
1. generate the digits data (skipped when present);
2. train the teacher, unless ``teacher_pretrained`` of the distiller config exists (a teacher the demo trained
   before is kept under ``pretrained_model/`` with its metric and train time beside it);
3. train the plain student and 4. the distilled student, with the same schedule and seed;
5. print and write (``<out>.json``, ``<out>.md``, ``<out>_curves.png``) a table of params, FLOPs, the metric from the
   dataset's real evaluator (validated by the Runner at the end of each run) and train time, with the metric curves.

Usage:
    python tools/demo.py [DISTILLER_CONFIG] [--seed 0] [--work-dir work_dirs/demo] [--out results/demo]
"""
import argparse
import json
import shlex
import time
from pathlib import Path
from typing import Dict, List, Optional

import torch

from distiller.benchmark.runs import copy_checkpoint, main_metric, parse_options, run_script, teacher_run, train_mm
from distiller.engine.mm_pruning import build_mm_model
from distiller.pruning import count_flops
from distiller.utils import load_config
from distiller.yolo import is_yolo_config

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
DEFAULT_CONFIG = 'configs/distillers/digits/cwd_cspnext_s_to_tiny_fpn_digits.py'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG,
                        help='distiller config: mmseg, mmdet or YOLO (runner_type)')
    parser.add_argument('--seed', type=int, default=0, help='seed of both student runs')
    parser.add_argument('--work-dir', default='work_dirs/demo', help='run directories')
    parser.add_argument('--out', default='results/demo', help='output path without extension')
    parser.add_argument('--teacher-checkpoint', help="where the teacher is kept (default: the config's "
                        'teacher_pretrained)')
    parser.add_argument('--data-args', default='', help='extra arguments of tools/generate_data.py, one string')
    parser.add_argument('--cfg-options', nargs='*', default=[], help='key=value overrides of all three runs')
    return parser.parse_args(argv)


def train(config: str, work_dir: Path, seed: int, options: List[str]) -> Dict:
    """Train one mmseg/mmdet config with ``tools/train.py`` (see :func:`distiller.benchmark.runs.train_mm`)."""
    return train_mm(TOOLS / 'train.py', config, work_dir, seed, options, tag='demo')


def complexity(config: str, checkpoint: Optional[str], size: int) -> Dict[str, float]:
    """Parameters and FLOPs of a model at ``size`` x ``size``.

    Args:
        config (str): Model config.
        checkpoint (str, optional): Its weights (not needed for the counts).
        size (int): Input side.

    Returns:
        dict: ``params`` and ``gflops``.
    """
    model = build_mm_model(config, checkpoint)
    return dict(params=sum(p.numel() for p in model.parameters()),
                gflops=count_flops(model, torch.zeros(1, 3, size, size)) / 1e9)


def mm_rows(cfg, args: argparse.Namespace, target: Path) -> Dict[str, Dict]:
    """Teacher, plain student and distilled student of an mmseg/mmdet distiller config, each by ``tools/train.py``.

    Args:
        cfg: The distiller config.
        args (argparse.Namespace): Parsed arguments.
        target (Path): Where the teacher is kept.

    Returns:
        dict: Label -> record.
    """
    work, options = Path(args.work_dir), list(args.cfg_options)
    teacher = teacher_run(target, lambda: train(cfg.model.teacher_cfg, work / 'teacher', args.seed, options),
                          copy_checkpoint)
    student = train(cfg.model.student_cfg, work / 'student', args.seed, options)
    distilled = train(args.config, work / 'distilled', args.seed, options + [f'model.teacher_pretrained={target}'])
    size = int(cfg.model.get('calibrate_shape', (2, 3, 128, 128))[-1])
    return {'teacher': dict(teacher, **complexity(cfg.model.teacher_cfg, None, size)),
            'student': dict(student, **complexity(cfg.model.student_cfg, None, size)),
            'distilled student': dict(distilled, **complexity(cfg.model.student_cfg, None, size))}


def yolo_rows(cfg, args: argparse.Namespace, target: Path) -> Dict[str, Dict]:
    """Teacher (``teacher_train = dict(model=..., epochs=...)`` of the config), plain student and distilled student
    of a YOLO distiller config, each with Ultralytics' own trainer.

    Args:
        cfg: The YOLO distiller config (``--cfg-options`` already merged).
        args (argparse.Namespace): Parsed arguments.
        target (Path): Where the teacher is kept.

    Returns:
        dict: Label -> record.
    """
    from distiller.registry import YOLO_RUNS
    from distiller.yolo.demo_runs import train_yolo, yolo_complexity
    work = Path(args.work_dir)
    train_args = dict(cfg.train_args, seed=args.seed)
    recipe = dict(cfg.get('teacher_train', {}))
    if 'model' not in recipe and not target.is_file():
        raise ValueError(f'{args.config}: the teacher {target} does not exist and the config has no '
                         "teacher_train = dict(model='<yaml>', epochs=N) to train it")
    teacher = teacher_run(target, lambda: train_yolo(recipe['model'], dict(train_args, epochs=recipe.get(
        'epochs', train_args['epochs'])), work / 'teacher'), copy_checkpoint)
    student = train_yolo(cfg.model.student, train_args, work / 'student')
    distiller = YOLO_RUNS.build(dict(cfg.model, teacher=str(target)))
    distilled = train_yolo(cfg.model.student, train_args, work / 'distilled', distiller)
    rows = {'teacher': teacher, 'student': student, 'distilled student': distilled}
    return {label: dict(row, **yolo_complexity(row['checkpoint'], int(train_args['imgsz'])))
            for label, row in rows.items()}


def write_results(rows: Dict[str, Dict], metric: str, out: Path) -> str:
    """Write ``<out>.json``, ``<out>.md`` and the curves plot.

    Args:
        rows (dict): Model label -> its record (params, gflops, train_s, curve).
        metric (str): The headline metric.
        out (Path): Output path without extension.

    Returns:
        str: The markdown table.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f'| model | params (M) | GFLOPs | {metric} | train time (s) |', '|---|---|---|---|---|']
    for label, row in rows.items():
        value = row['curve'][-1][1].get(metric, 0.0)
        note = ' (trained earlier)' if row.get('reused') else ''
        lines.append(f'| {label} | {row["params"] / 1e6:.2f} | {row["gflops"]:.2f} | {_fmt(value)} '
                     f'| {row["train_s"]:.0f}{note} |')
    table = '\n'.join(lines) + '\n'
    out.with_suffix('.md').write_text(table)
    out.with_suffix('.json').write_text(json.dumps(rows, indent=2))
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(6, 4))
    for label, row in rows.items():
        values = [m.get(metric, 0.0) for _, m in row['curve']]
        axis.plot([step for step, _ in row['curve']], values, marker='o', label=label)
    axis.set(xlabel='iteration (mm) / epoch (YOLO)', ylabel=metric, title='validation during training')
    axis.legend()
    figure.tight_layout()
    figure.savefig(str(out) + '_curves.png', dpi=120)
    plt.close(figure)
    return table


def _fmt(value: float) -> str:
    """Four decimals for 0-1 metrics (mAP), two for percentages (mIoU)."""
    return f'{value:.4f}' if abs(value) < 1 else f'{value:.2f}'


def main(argv: Optional[List[str]] = None) -> str:
    """Run the demo.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        str: The comparison table.
    """
    args = parse_args(argv)
    start = time.perf_counter()
    run_script([str(TOOLS / 'generate_data.py'), *shlex.split(args.data_args)], REPO, tag='demo')
    cfg = load_config(args.config)
    if is_yolo_config(cfg):
        cfg.merge_from_dict(parse_options(args.cfg_options))
        rows = yolo_rows(cfg, args, REPO / (args.teacher_checkpoint or cfg.model.teacher))
    else:
        rows = mm_rows(cfg, args, REPO / (args.teacher_checkpoint or cfg.model.teacher_pretrained))
    metric = main_metric(rows['student']['curve'])
    table = write_results(rows, metric, Path(args.out))
    gain = (rows['distilled student']['curve'][-1][1].get(metric, 0.0)
            - rows['student']['curve'][-1][1].get(metric, 0.0))
    sign = '+' if gain >= 0 else '-'
    print(f'\n[demo] {Path(args.config).stem}, seed {args.seed}: distillation {sign}{_fmt(abs(gain))} {metric} '
          f'over the plain student ({time.perf_counter() - start:.0f} s in all)\n\n{table}\n'
          f'[demo] wrote {args.out}.md, {args.out}.json, {args.out}_curves.png', flush=True)
    return table


if __name__ == '__main__':
    main()
