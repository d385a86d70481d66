#!/usr/bin/env bash
# One install step for the whole stack: creates .venv in the repository and installs torch, mmcv (compiled ops,
# wheel built once and cached outside the repo), mmengine, mmdet, mmsegmentation, ultralytics and this package.
# Idempotent: a second run with unchanged install inputs only checks the stamp and exits.
#
# Environment knobs:
#   PYTHON        interpreter used to create the venv (default: python3)
#   VENV          venv location (default: <repo>/.venv)
#   KD_CACHE_DIR  where the mmcv sdist and built wheels are kept (default: ~/.cache/kd-distiller)
#   FORCE_CUDA    1 to build the mmcv CUDA ops; default: 1 when nvidia-smi sees a GPU, else 0
#   MAX_JOBS      parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$REPO/.venv}"
CACHE="${KD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kd-distiller}"
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0

log() { printf '[install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if [ -z "${FORCE_CUDA:-}" ]; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then FORCE_CUDA=1; else FORCE_CUDA=0; fi
fi
export FORCE_CUDA
MAX_JOBS="${MAX_JOBS:-$(nproc 2>/dev/null || echo 2)}"
export MAX_JOBS

# The stamp covers everything that decides what gets installed; any change re-runs the steps (each is idempotent).
STAMP="$VENV/.kd-install-stamp"
STAMP_VALUE="$(cat "$REPO/tools/install.sh" "$REPO/setup.cfg" | sha256sum | cut -d' ' -f1) cuda=$FORCE_CUDA"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_VALUE" ] && [ -x "$VENV/bin/python" ]; then
  log "environment in $VENV is up to date (delete $STAMP to force a reinstall)"
  exit 0
fi

START=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=(pip_quiet "$PY" -m pip install --disable-pip-version-check --progress-bar off)

# pip warns about every missing entry of a local find-links/extra index configured on some machines; drop that noise.
pip_quiet() {
  "$@" 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }
  return "${PIPESTATUS[0]}"
}

log "step 1/5: build tools (setuptools>=77.0.3,<81 keeps pkg_resources for mmcv's setup.py)"
"${PIP[@]}" -q --upgrade pip "setuptools>=77.0.3,<81" wheel ninja

log "step 2/5: torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION"
"${PIP[@]}" -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"

PYTAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
OPS_TAG=cpu
[ "$FORCE_CUDA" = 1 ] && OPS_TAG=cuda
# Python's default compile flags without -g: the debug info doubled the compile time and made _ext 40x larger.
# A CFLAGS variable replaces (not extends) those defaults in setuptools, so it spells out the whole set.
MMCV_CFLAGS="-Wsign-compare -DNDEBUG -g0 -fwrapv -O3 -Wall"
FLAGS_TAG="$(printf '%s' "$MMCV_CFLAGS" | sha256sum | cut -c1-8)"
WHEEL_DIR="$CACHE/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PYTAG-$OPS_TAG-flags$FLAGS_TAG"
MMCV_REQ=""
if "$PY" -c "import mmcv, sys; from mmcv.ops import nms; sys.exit(mmcv.__version__ != '$MMCV_VERSION')" 2>/dev/null; then
  log "step 3/5: mmcv $MMCV_VERSION with ops already installed"
else
  if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
    log "step 3/5: building mmcv $MMCV_VERSION with compiled ops ($OPS_TAG, MAX_JOBS=$MAX_JOBS); 7-8 minutes on 2 cores"
    SRC_CACHE="$CACHE/src"
    mkdir -p "$SRC_CACHE" "$WHEEL_DIR"
    if [ ! -f "$SRC_CACHE/mmcv-$MMCV_VERSION.tar.gz" ]; then
      pip_quiet "$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation -d "$SRC_CACHE" "mmcv==$MMCV_VERSION"
    fi
    BUILD_DIR="$(mktemp -d)"
    trap 'rm -rf "$BUILD_DIR"' EXIT
    tar -xzf "$SRC_CACHE/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD_DIR"
    SRC="$BUILD_DIR/mmcv-$MMCV_VERSION"
    # torch 2.14's ATen headers require C++20; mmcv's setup.py hard-codes older standards.
    sed -i -E 's/-std=c\+\+(14|17)/-std=c++20/g' "$SRC/setup.py"
    BUILD_LOG="$BUILD_DIR/build.log"
    # ninja prints "[k/N] ..." per compiled file: surface those as progress, keep the rest in the log.
    if ! MMCV_WITH_OPS=1 CFLAGS="$MMCV_CFLAGS" "$PY" -m pip wheel -v --no-build-isolation --no-deps -w "$BUILD_DIR/dist" "$SRC" 2>&1 \
        | tee "$BUILD_LOG" | awk 'match($0, /^ *\[[0-9]+\/[0-9]+\]/) {
            step = substr($0, RSTART, RLENGTH); gsub(/ /, "", step); src = ""
            if (match($0, /[^ \/]+\.(cpp|cu|cc)( |$)/)) src = substr($0, RSTART, RLENGTH)
            printf "[install mmcv] %s %s\n", step, src; fflush() }'; then
      tail -n 40 "$BUILD_LOG"
      log "mmcv build failed; full log above was $BUILD_LOG"
      exit 1
    fi
    mv "$BUILD_DIR"/dist/mmcv-*.whl "$WHEEL_DIR/"
    log "mmcv wheel cached in $WHEEL_DIR"
  else
    log "step 3/5: using cached mmcv wheel from $WHEEL_DIR"
  fi
  MMCV_REQ="$(ls "$WHEEL_DIR"/mmcv-*.whl | head -n 1)"
fi

# One resolver call with the exact versions this project is tested with; setup.cfg keeps compatible ranges, except
# for ultralytics, pinned there too (its built-in distillation changed within 8.4.x).
log "step 4/5: mmcv, mmengine, mmdet, mmsegmentation, ultralytics and this package (editable, with test extras)"
"${PIP[@]}" -q ${MMCV_REQ:+"$MMCV_REQ"} "mmengine==0.10.7" "mmdet==3.3.0" "mmsegmentation==1.2.2" "ultralytics==8.4.190" \
  --no-build-isolation -e "$REPO[dev]"

log "step 5/5: checking the stack"
"$PY" - <<'PY'
import distiller  # first: sets Ultralytics' offline switches before it is imported
import torch, mmcv, mmengine, mmdet, mmseg, ultralytics
from mmcv.ops import nms, RoIAlign, get_compiling_cuda_version  # noqa: F401  compiled ops must import
print('  torch', torch.__version__, '| mmcv', mmcv.__version__, '| mmengine', mmengine.__version__,
      '| mmdet', mmdet.__version__, '| mmseg', mmseg.__version__, '| ultralytics', ultralytics.__version__,
      '| mmcv ops CUDA', get_compiling_cuda_version())
PY
echo "$STAMP_VALUE" > "$STAMP"
log "done in $(( $(date +%s) - START )) s"
