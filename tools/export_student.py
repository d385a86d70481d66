"""Write the student of a distiller checkpoint as a plain mmdet/mmseg checkpoint.

Usage:
    python tools/export_student.py work_dirs/<exp>/iter_300.pth student.pth
The output has the keys of the plain student model (``init_detector`` / ``init_model`` and ``tools/test.py`` with the
student's own config load it unchanged); optimizer, schedulers and teacher weights are dropped.
"""
import argparse

from distiller.engine import export_student


def main() -> None:
    """Parse the command line and export."""
    parser = argparse.ArgumentParser(description='Export the student of a distiller checkpoint')
    parser.add_argument('checkpoint', help='distiller checkpoint saved by tools/train.py')
    parser.add_argument('out', help='output path of the student-only checkpoint')
    args = parser.parse_args()
    saved = export_student(args.checkpoint, args.out)
    print(f'wrote {args.out}: {len(saved["state_dict"])} student tensors')


if __name__ == '__main__':
    main()
