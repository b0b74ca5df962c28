#!/usr/bin/env bash
# Install elderbot and everything the main job needs into the current Python (>= 3.10).
# torch goes first, from the CPU wheel these machines carry, so that sentence-transformers
# does not pull several GB of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install --quiet "torch==2.13.0"
fi
"$PY" -m pip install --quiet -e ".[${ELDERBOT_EXTRAS:-all}]"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
