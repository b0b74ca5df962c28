#!/usr/bin/env bash
# Evaluate the Rasa NLU: 3-fold cross-validation over nlu_data/ (reports in nlu_data/reports/, git-ignored),
# then, when a trained model and a labelled set exist, intent accuracy on that set.
# Usage: bash scripts/rasa-test.sh [labelled.jsonl]   (default ../shared/eval/dev.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/rasa-env.sh
python3 scripts/gen_nlu_lookups.py >/dev/null
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
LABELLED=${1:-../shared/eval/dev.jsonl}
started=$(date +%s)
(cd nlu_data && ../.rasa-env/bin/rasa test nlu --nlu data --config config.yml --cross-validation --folds 3 \
  --out reports/cross-validation)
echo "rasa-test: cross-validation done in $(( $(date +%s) - started )) s" >&2
.rasa-env/bin/python - <<'PY'
import json
report = json.load(open("nlu_data/reports/cross-validation/intent_report.json"))
print(f"cross-validation intent macro F1: {report['macro avg']['f1-score']:.3f}, "
      f"accuracy: {report['accuracy']:.3f}")
PY
MODEL=nlu_data/models/elderbot.tar.gz
if [ -f "$MODEL" ] && [ -f "$LABELLED" ]; then
  .rasa-env/bin/python scripts/rasa_nlu_eval.py "$MODEL" "$LABELLED"
fi
