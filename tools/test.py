"""Evaluate a checkpoint with the test loop and evaluator of a config.

CONFIG may be a distiller config or the student's own config, and CHECKPOINT a full distiller checkpoint or a
student-only one (``student_final.pth``, ``tools/export_student.py``): every combination tests the student.
``--pruned`` tests a pruned checkpoint (``tools/prune.py``, or a student trained from one) with the unpruned config.
A YOLO distillation config validates the checkpoint (``weights/best.pt``) with Ultralytics' validator.

Usage:
    python tools/test.py CONFIG CHECKPOINT [--teacher] [--pruned] [--show-dir DIR] [--work-dir DIR]
        [--cfg-options k=v ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [args ...]
"""
import argparse
import os

from mmengine.config import DictAction
from mmengine.logging import print_log

from distiller.registry import register_all_modules, runner_class
from distiller.utils import load_runner_config


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint with the mmengine Runner')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--teacher', action='store_true',
                        help='evaluate the teacher of a distiller config (from the checkpoint if it holds the teacher, '
                             'else from teacher_pretrained), for the comparison with the student')
    parser.add_argument('--pruned', action='store_true',
                        help='the checkpoint holds a pruned model (tools/prune.py): the config\'s layers take the '
                             'checkpoint\'s channel counts before it is loaded')
    parser.add_argument('--work-dir', help='directory for the evaluation logs (default: ./work_dirs/<config name>)')
    parser.add_argument('--show-dir', help='save every test image with its predictions drawn (mmdet/mmseg visualizer; '
                        'Ultralytics\' prediction plots for YOLO configs) under this folder')
    parser.add_argument('--eval', nargs='+', metavar='METRIC',
                        help='accepted for the mmseg 0.x / CWD recipe command lines (--eval mIoU); the metrics come '
                             'from the config\'s test_evaluator')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='override config settings, key=value pairs')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if args.launcher != 'none':
        os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    """Build the config's runner with the checkpoint loaded and run its test loop (or Ultralytics' validator)."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if args.eval:
        print_log(f'--eval {" ".join(args.eval)}: accepted for the mmseg 0.x command lines; the metrics are the '
                  'ones the config\'s test_evaluator (or the YOLO validator) computes', logger='current')
    runner = runner_class(cfg).from_test_cfg(cfg, args.checkpoint, teacher=args.teacher, pruned=args.pruned,
                                             show_dir=args.show_dir)
    runner.test()


if __name__ == '__main__':
    main()
