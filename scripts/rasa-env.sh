#!/usr/bin/env bash
# Create (idempotently) .rasa-env/: a Python 3.10 virtualenv with Rasa 3.6 for nlu_data/.
# Rasa 3.6 runs only on Python 3.8-3.10; the core stays on Python >= 3.10 without it.
# Fast when already done: a marker file records the pinned set that was installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_DIR=${RASA_ENV_DIR:-.rasa-env}
PINS="rasa==3.6.21 jieba==0.42.1"
MARKER="$ENV_DIR/.elderbot-installed"
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$PINS" ] && "$ENV_DIR/bin/rasa" --version >/dev/null 2>&1; then
  exit 0
fi

find_python310() {
  if [ -n "${RASA_PYTHON:-}" ]; then echo "$RASA_PYTHON"; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root)
    local candidate
    candidate=$(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$candidate" ]; then
      pyenv install -s 3.10 >&2
      candidate=$(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    if [ -n "$candidate" ] && [ -x "$candidate/bin/python" ]; then echo "$candidate/bin/python"; return; fi
  fi
  command -v python3.10 || { echo "rasa-env: no Python 3.10 found (set RASA_PYTHON)" >&2; exit 1; }
}

started=$(date +%s)
PY310=$(find_python310)
if [ ! -x "$ENV_DIR/bin/python" ]; then
  "$PY310" -m venv "$ENV_DIR"
fi
"$ENV_DIR/bin/python" -m pip install --quiet --upgrade "pip<24.1" "setuptools<70" wheel
# shellcheck disable=SC2086
"$ENV_DIR/bin/python" -m pip install --quiet $PINS
"$ENV_DIR/bin/rasa" --version
echo "$PINS" > "$MARKER"
echo "rasa-env: ready in $(( $(date +%s) - started )) s" >&2
