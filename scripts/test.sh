#!/usr/bin/env bash
# Install what the test suite needs (system packages, dev extras in .venv/, the Rasa 3.10 environment), then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
ELDERBOT_EXTRAS=dev bash scripts/install.sh
export PATH="$(pwd)/${ELDERBOT_VENV:-.venv}/bin:$PATH"
if [ -f scripts/rasa-env.sh ]; then bash scripts/rasa-env.sh; fi
python -m ruff check .
# two workers: CI has 2 cores (ELDERBOT_TEST_WORKERS=0 runs in one process)
python -m pytest -n "${ELDERBOT_TEST_WORKERS:-2}" "$@"
