#!/usr/bin/env bash
# Build the one-folder app with PyInstaller into dist/musicstudio/ and run its self-test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m pip install -q --disable-pip-version-check "pyinstaller>=6.6"
"$PY" -m PyInstaller --noconfirm --clean musicstudio.spec
# TensorFlow's libraries carry symbols the app never needs (~170 MB of libtensorflow_cc alone).
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
  strip --strip-unneeded dist/musicstudio/_internal/tensorflow/*.so* 2>/dev/null || true
fi
du -sh dist/musicstudio
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} \
  dist/musicstudio/musicstudio --self-test
