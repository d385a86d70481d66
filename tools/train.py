"""Train a model (a distiller or a plain mmdet/mmseg model) from a config with the runner the config names:
``runner_type`` (``YOLORunner`` in the YOLO configs), else the mmengine Runner.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG NUM_PROCS [args ...]
"""
import argparse
import os

from mmengine.config import DictAction

from distiller.registry import register_all_modules, runner_class
from distiller.utils import load_runner_config


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Train a distiller or a plain model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='directory for logs and checkpoints (default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in the work dir when no path is given')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision training')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs such as train_cfg.max_epochs=2')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if args.launcher != 'none':
        os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    """Build the config's runner and train."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    runner = runner_class(cfg).from_train_cfg(cfg, amp=args.amp, resume=args.resume)
    runner.train()


if __name__ == '__main__':
    main()
