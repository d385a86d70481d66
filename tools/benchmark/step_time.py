"""Time a distillation training step against its parts and against the naive approach, side by side in one run.

For a distiller config (mmseg, mmdet or YOLO detection) it builds the student, the teacher and the losses at a
benchmark image size and times, interleaved round by round in one process: the student's own training step, the
teacher's forward up to its last hooked module and in full (and in loss mode for mm models), the naive distillation
step (teacher run whole, in loss mode for mm models) and ours. It prints min/median/max of each ratio against its
target, measures the peak memory of the student, naive and ours steps in separate processes, and writes
``<out>/<config>_<device>_<precision>.json`` plus ``<out>.md``, a table of every JSON in ``<out>``.

On a CUDA machine it uses CUDA events and also reports AMP (``--amp fp16 bf16``) figures.

Usage:
    python tools/benchmark/step_time.py CONFIG [--img-size H [W]] [--batch-size N] [--repeats N] [--warmup N]
        [--device cpu|cuda|auto] [--amp fp16 bf16] [--teacher-dtype float16] [--no-memory] [--out DIR]
"""
import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Optional

import torch

from distiller.benchmark import MMStepSuite, PeakMemory, StepClock, StepReport, YOLOStepSuite, interleaved_times
from distiller.benchmark.memory import MALLOC_ENV
from distiller.benchmark.report import markdown_table
from distiller.utils import load_config
from distiller.yolo import is_yolo_config

MEMORY_MODES = ('student', 'naive', 'ours')


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='distiller config (mmseg, mmdet or YOLO detection)')
    parser.add_argument('--img-size', type=int, nargs='+', default=[128], help='image side, or height and width')
    parser.add_argument('--batch-size', type=int, default=2, help='images per step')
    parser.add_argument('--repeats', type=int, default=10, help='timed rounds')
    parser.add_argument('--warmup', type=int, default=2, help='untimed rounds first')
    parser.add_argument('--device', default='auto', help="cpu, cuda or auto (cuda when available)")
    parser.add_argument('--amp', nargs='*', default=['fp16', 'bf16'], choices=['fp16', 'bf16'],
                        help='AMP precisions also measured on CUDA (ignored on the CPU)')
    parser.add_argument('--teacher-dtype', choices=['float16', 'bfloat16'], help="the distiller's teacher_dtype")
    parser.add_argument('--yolo-teacher', help='YOLO teacher checkpoint or yaml replacing the config\'s')
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch\'s own choice)')
    parser.add_argument('--memory-steps', type=int, default=3, help='steps per peak-memory process')
    parser.add_argument('--no-memory', action='store_true', help='skip the peak-memory processes')
    parser.add_argument('--out', default='results/step_time', help='folder of the JSON files (table: <out>.md)')
    parser.add_argument('--memory-mode', choices=MEMORY_MODES, help=argparse.SUPPRESS)
    parser.add_argument('--precision', default='fp32', help=argparse.SUPPRESS)
    parser.add_argument('--memory-json', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def image_size(args: argparse.Namespace) -> list:
    """Height and width from ``--img-size`` (one side means a square).

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        list[int]: Height and width.
    """
    return args.img_size * 2 if len(args.img_size) == 1 else args.img_size[:2]


def build_suite(args: argparse.Namespace, device: str, precision: str):
    """The step suite of the config at the benchmark size.

    Args:
        args (argparse.Namespace): Parsed arguments.
        device (str): ``cpu`` or ``cuda``.
        precision (str): ``fp32``, ``fp16`` or ``bf16``.

    Returns:
        MMStepSuite | YOLOStepSuite: The suite.
    """
    cfg = load_config(args.config)
    amp = None if precision == 'fp32' else precision
    size = image_size(args)
    if is_yolo_config(cfg):
        return YOLOStepSuite(cfg, size[0], args.batch_size, device, amp, teacher=args.yolo_teacher,
                             teacher_dtype=args.teacher_dtype)
    return MMStepSuite(cfg, tuple(size), args.batch_size, device, amp, teacher_dtype=args.teacher_dtype)


def measure_memory(args: argparse.Namespace, device: str) -> None:
    """In a process of its own: build, run one step of ``--memory-mode``, then report the peak of further steps.

    Args:
        args (argparse.Namespace): Parsed arguments (``--memory-mode``, ``--memory-json``).
        device (str): ``cpu`` or ``cuda``.
    """
    memory = PeakMemory(device)
    suite = build_suite(args, device, args.precision)
    step = suite.modes()[args.memory_mode]
    if args.memory_mode == 'student':
        suite.drop_teacher()
    gc.collect()
    step()
    memory.reset()
    for _ in range(args.memory_steps):
        step()
    Path(args.memory_json).write_text(json.dumps(dict(peak_bytes=memory.peak_bytes())))


def memory_of_modes(args: argparse.Namespace, device: str, precision: str) -> Dict[str, int]:
    """Peak bytes of each of :data:`MEMORY_MODES`, one fresh process each.

    Args:
        args (argparse.Namespace): Parsed arguments.
        device (str): ``cpu`` or ``cuda``.
        precision (str): ``fp32``, ``fp16`` or ``bf16``.

    Returns:
        dict[str, int]: Mode -> peak bytes.
    """
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MEMORY_MODES:
            out = Path(tmp) / f'{mode}.json'
            command = [sys.executable, __file__, args.config, '--img-size', *map(str, args.img_size),
                       '--batch-size', str(args.batch_size), '--device', device, '--memory-mode', mode,
                       '--precision', precision, '--memory-steps', str(args.memory_steps), '--memory-json', str(out)]
            for flag, value in (('--teacher-dtype', args.teacher_dtype), ('--yolo-teacher', args.yolo_teacher),
                                ('--threads', args.threads and str(args.threads))):
                if value:
                    command += [flag, value]
            subprocess.run(command, check=True, env=dict(os.environ, **MALLOC_ENV))
            peaks[mode] = json.loads(out.read_text())['peak_bytes']
            print(f'  peak memory {mode}: {peaks[mode] / 2**20:.0f} MiB', flush=True)
    return peaks


def run_setting(args: argparse.Namespace, device: str, precision: str) -> StepReport:
    """Time and (unless ``--no-memory``) measure one device/precision setting.

    Args:
        args (argparse.Namespace): Parsed arguments.
        device (str): ``cpu`` or ``cuda``.
        precision (str): ``fp32``, ``fp16`` or ``bf16``.

    Returns:
        StepReport: The measurements.
    """
    suite = build_suite(args, device, precision)
    print(f'{Path(args.config).stem} on {device}, {precision}: {args.warmup} warm-up + {args.repeats} rounds of '
          f'{", ".join(suite.modes())}', flush=True)
    times = interleaved_times(suite.modes(), StepClock(device), args.repeats, args.warmup)
    teacher_bytes = suite.teacher_bytes
    del suite
    gc.collect()
    label = precision + (f', teacher {args.teacher_dtype}' if args.teacher_dtype else '')
    report = StepReport(name=Path(args.config).stem, config=args.config, device=_device_name(device),
                        precision=label, img_size=image_size(args), batch_size=args.batch_size, times=times,
                        teacher_bytes=teacher_bytes)
    if not args.no_memory:
        report.memory = memory_of_modes(args, device, precision)
    return report


def _device_name(device: str) -> str:
    """``cuda (<GPU name>)`` or ``cpu (<N> threads)``."""
    if device.startswith('cuda'):
        return f'cuda ({torch.cuda.get_device_name()})'
    return f'cpu ({torch.get_num_threads()} threads, {platform.machine()})'


def write_table(out: Path) -> str:
    """Rewrite ``<out>.md`` from every JSON in ``out``.

    Args:
        out (Path): The JSON folder.

    Returns:
        str: The table.
    """
    reports = []
    for path in sorted(out.glob('*.json')):
        data = json.loads(path.read_text())
        reports.append(StepReport(**{k: data[k] for k in StepReport.__dataclass_fields__}))
    table = markdown_table(reports)
    out.with_suffix('.md').write_text(table)
    return table


def main(argv: Optional[list] = None) -> None:
    """Run the benchmark.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).
    """
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ('cuda' if torch.cuda.is_available() else 'cpu') if args.device == 'auto' else args.device
    if args.memory_mode:
        measure_memory(args, device)
        return
    precisions = ['fp32'] + (list(args.amp) if device.startswith('cuda') else [])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for precision in precisions:
        report = run_setting(args, device, precision)
        suffix = precision + (f'_teacher_{args.teacher_dtype}' if args.teacher_dtype else '')
        path = out / f'{report.name}_{device.split(":")[0]}_{suffix}.json'
        path.write_text(json.dumps(report.to_dict(), indent=2))
        for label, ratio in report.time_ratios().items():
            print(f'  {label}: median {ratio["median"]:.3f} (min {ratio["min"]:.3f}, max {ratio["max"]:.3f})'
                  + (f', target {ratio["target"]}: {"met" if ratio["met"] else "MISSED"}' if ratio['target'] else ''))
        if report.memory_ratio():
            print(f'  peak memory ours / (student + teacher weights): {report.memory_ratio()["ours"]:.3f}')
        print(f'  wrote {path}', flush=True)
    print(write_table(out))


if __name__ == '__main__':
    main()
