#!/usr/bin/env bash
# Set everything up, then run the default test suite (slow tests: `pytest -m slow`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The desktop-start test runs the app on a real X server: Xvfb, and xdotool to find the window.
if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xdotool >/dev/null
  fi
fi
export QT_QPA_PLATFORM=offscreen SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} TF_CPP_MIN_LOG_LEVEL=2
rc=0
.venv/bin/python -m pytest "$@" || rc=$?
if [ "$rc" = 5 ]; then echo "no tests were collected"; rc=0; fi
exit "$rc"
