#!/usr/bin/env bash
# Rebuild the pretrained sample models in resources/models/ from the sample corpus,
# with the project's own CLI (about 4 minutes per model on a 2-core CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-4}
for model in wavenet lstm; do
  .venv/bin/python -m musicstudio train resources/sample_corpus --model "$model" --epochs 200 --minutes "$MINUTES" \
    --patience 10 --seed 0 --out "resources/models/sample-$model.msb"
  rm -rf "resources/models/sample-$model.msb.run"
done
ls -l resources/models
