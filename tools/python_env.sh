# Sourced by the launch scripts: sets KD_PYTHON to the repository's .venv interpreter (what `make install` creates)
# when it exists and no virtual environment is active, otherwise to the active environment's `python`. A KD_PYTHON
# set by the caller wins.
_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${KD_PYTHON:-}" ]; then
  if [ -z "${VIRTUAL_ENV:-}" ] && [ -x "$_REPO/.venv/bin/python" ]; then
    KD_PYTHON="$_REPO/.venv/bin/python"
  else
    KD_PYTHON=python
  fi
fi
