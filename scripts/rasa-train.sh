#!/usr/bin/env bash
# Validate and train the Rasa 3.6 assistant from nlu_data/ into nlu_data/models/ (git-ignored).
# Usage: bash scripts/rasa-train.sh [extra `rasa train` arguments, e.g. nlu]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/rasa-env.sh
python3 scripts/gen_nlu_lookups.py >/dev/null   # lookups + jieba dictionary copy, fresh from knowledge/lexicon
cd nlu_data
export RASA_ACTION_ENDPOINT=${RASA_ACTION_ENDPOINT:-http://127.0.0.1:5055/webhook}
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
RASA=../.rasa-env/bin/rasa
started=$(date +%s)
"$RASA" data validate --domain domain.yml --data data --config config.yml
"$RASA" train "$@" --config config.yml --domain domain.yml --data data --out models --fixed-model-name elderbot
echo "rasa-train: done in $(( $(date +%s) - started )) s" >&2
