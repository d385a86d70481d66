"""Train a model (a distiller or a plain mmdet/mmseg model) from a config with the mmengine Runner; a YOLO
distillation config (``model.type='YOLODistiller'``) trains with Ultralytics' own trainer instead.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG NUM_PROCS [args ...]
"""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from distiller.compat import prepare_cpu_distributed
from distiller.registry import register_all_modules
from distiller.utils import load_runner_config
from distiller.yolo import is_yolo_config, train_yolo_config


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Train a distiller or a plain model with the mmengine Runner')
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


def build_config(args: argparse.Namespace) -> Config:
    """Load the config and apply the command-line overrides.

    Args:
        args (argparse.Namespace): Parsed command line.

    Returns:
        Config: The config the Runner is built from.
    """
    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if is_yolo_config(cfg):
        if args.amp:
            cfg.setdefault('train_args', {})['amp'] = True
        return cfg
    if args.amp:
        if cfg.optim_wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            print('AMP is already enabled in the config.')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main() -> None:
    """Build the Runner from the config and train."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = build_config(args)
    if is_yolo_config(cfg):
        train_yolo_config(cfg, resume=args.resume)
        return
    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
