#!/usr/bin/env bash
# Serve the trained Rasa assistant: the rasa-sdk action server (bot.channels.rasa.actions, on the core's Python >= 3.10)
# on 127.0.0.1:5055 and `rasa run --enable-api` with the REST channel on 127.0.0.1:5005.
# Train first with scripts/rasa-train.sh. Stops both servers on exit (Ctrl-C).
# Environment: RASA_PORT (5005), ACTION_PORT (5055), RASA_ACTION_ENDPOINT (derived), PYTHON (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${RASA_MODEL:-nlu_data/models/elderbot.tar.gz}
export RASA_ACTION_ENDPOINT=${RASA_ACTION_ENDPOINT:-http://127.0.0.1:${ACTION_PORT}/webhook}
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
if [ ! -f "$MODEL" ]; then
  echo "rasa-run: no model at $MODEL; run: bash scripts/rasa-train.sh" >&2
  exit 1
fi
bash scripts/rasa-env.sh

SANIC_HOST=127.0.0.1 PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -m rasa_sdk \
  --actions bot.channels.rasa.actions --port "$ACTION_PORT" &
ACTIONS_PID=$!
trap 'kill "$ACTIONS_PID" 2>/dev/null || true' EXIT INT TERM

cd nlu_data
../.rasa-env/bin/rasa run --enable-api --interface 127.0.0.1 --port "$RASA_PORT" \
  --model "$ROOT/$MODEL" --endpoints endpoints.yml --credentials credentials.yml --cors "http://127.0.0.1"
