#!/usr/bin/env bash
# Compose a fixed set of pieces with fixed seeds from the shipped sample models and print each
# MIDI file's md5: run it at two commits to check that a change left composing byte-identical.
#   bash scripts/fixed_seed_pieces.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL=2
py=.venv/bin/python
for m in wavenet lstm; do
  $py -m musicstudio compose $m --seed 7 --bars 16 --out "$OUT/$m-form.mid" --json >"$OUT/$m-form.json"
  $py -m musicstudio compose $m --seed 3 --length 300 --variations 2 --key "D minor" \
    --out "$OUT/$m-len.mid" --json >"$OUT/$m-len.json"
done
$py -m musicstudio compose wavenet --seed 5 --form "A A B(E minor) A(D)" --bars 16 --feel files \
  --out "$OUT/keys.mid" --json >"$OUT/keys.json"
(cd "$OUT" && md5sum ./*.mid)
