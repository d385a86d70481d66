"""How large each distillation loss ran against the student's own task loss, from finished runs' logs.

    python tools/analysis/loss_scales.py RUN_DIR [RUN_DIR ...] [--window 0.1]

A run dir is an mmengine work dir (``<timestamp>/vis_data/scalars.json`` and the dumped config, whose
``distill_cfg`` names the distillation losses) or an Ultralytics save dir (``results.csv``). For each run it prints
the task loss and the ratio of the distillation losses to it, averaged over the first and the last ``--window`` share
of the logged iterations (epochs for Ultralytics): the numbers to pick a ``balance`` ratio from, and to see whether a
method's share drifts after its weight was fixed. Nothing is trained or loaded.
"""
import argparse
import sys

from distiller.benchmark.loss_scales import loss_scale_markdown, read_run, summarize_run


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Distillation losses against the task loss, from run logs')
    parser.add_argument('runs', nargs='+', help='mmengine work dirs or Ultralytics save dirs')
    parser.add_argument('--window', type=float, default=0.1,
                        help='share of the logged rows averaged at the start and at the end (default 0.1)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Print the table; 1 with a one-line message when a run dir cannot be read.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    if not 0 < args.window <= 0.5:
        print(f'loss_scales: --window must be in (0, 0.5], got {args.window}', file=sys.stderr)
        return 1
    try:
        summaries = {run: summarize_run(read_run(run), args.window) for run in args.runs}
    except (FileNotFoundError, ValueError) as error:
        print(f'loss_scales: {error}', file=sys.stderr)
        return 1
    print(loss_scale_markdown(summaries))
    return 0


if __name__ == '__main__':
    sys.exit(main())
