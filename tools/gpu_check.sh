#!/usr/bin/env bash
# The GPU check: one prepared run for a lent CUDA machine that has torch but no network (docs/gpu.md).
#
#   bash tools/gpu_check.sh --prepare DIR [--full]   CPU machine with network: the wheels and the mmcv sdist -> DIR
#   bash tools/gpu_check.sh DIR [--out results/gpu]  CUDA machine: install from DIR, build mmcv, step-time rows and
#                                                    two short distillation runs -> results/gpu/check.{json,md}
#   bash tools/gpu_check.sh --dry-run [--out DIR]    CPU rehearsal of the same commands with tiny settings (CI)
#
# The logic is in tools/gpu_check.py (`--help` lists every option). Interpreter: for --prepare and --dry-run the
# project's (tools/python_env.sh: .venv or the active environment); for the GPU run the machine's python3, the one
# that holds torch (PYTHON overrides it).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case " $* " in
  *" --prepare "* | *" --prepare="* | *" --dry-run "* | *" -h "* | *" --help "*)
    source "$REPO/tools/python_env.sh"
    PY="$KD_PYTHON" ;;
  *)
    PY="${PYTHON:-python3}" ;;
esac
exec "$PY" "$REPO/tools/gpu_check.py" "$@"
