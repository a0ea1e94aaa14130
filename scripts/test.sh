#!/usr/bin/env bash
# Set everything up, then run the default test suite (slow tests: `pytest -m slow`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} TF_CPP_MIN_LOG_LEVEL=2
rc=0
python3 -m pytest "$@" || rc=$?
if [ "$rc" = 5 ]; then echo "no tests were collected"; rc=0; fi
exit "$rc"
