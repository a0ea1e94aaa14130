#!/usr/bin/env bash
# Set everything up, then open MusicStudio (sample corpus and sample models ready).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m musicstudio "$@"
