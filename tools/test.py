"""Evaluate a checkpoint with the test loop and evaluator of a config.

CONFIG may be a distiller config or the student's own config, and CHECKPOINT a full distiller checkpoint or a
student-only one (``student_final.pth``, ``tools/export_student.py``): every combination tests the student.
``--pruned`` tests a pruned checkpoint (``tools/prune.py``, or a student trained from one) with the unpruned config.
A YOLO distillation config validates the checkpoint (``weights/best.pt``) with Ultralytics' validator.

Usage:
    python tools/test.py CONFIG CHECKPOINT [--pruned] [--work-dir DIR] [--cfg-options k=v ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [args ...]
"""
import argparse
import os

from mmengine.config import DictAction
from mmengine.runner import Runner

from distiller.compat import prepare_cpu_distributed
from distiller.engine import load_checkpoint_for_test
from distiller.pruning import resize_for_checkpoint
from distiller.registry import register_all_modules
from distiller.utils import load_runner_config
from distiller.yolo import is_yolo_config, test_yolo_config


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
    """Build the Runner from the config, load the checkpoint and run the test loop."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if is_yolo_config(cfg):
        test_yolo_config(cfg, args.checkpoint, teacher=args.teacher)
        return
    cfg.load_from = None
    cfg.resume = False
    if args.teacher:
        if 'teacher_cfg' not in cfg.model:
            raise SystemExit('--teacher needs a distiller config (one with model.teacher_cfg)')
        cfg.model.test_teacher = True
    elif 'teacher_pretrained' in cfg.model:
        cfg.model.teacher_pretrained = None  # only the student is tested; no need for the teacher file here
    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    if args.pruned:
        resize_for_checkpoint(runner.model, args.checkpoint)
    load_checkpoint_for_test(runner.model, args.checkpoint)
    runner.test()


if __name__ == '__main__':
    main()
