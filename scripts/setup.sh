#!/usr/bin/env bash
# Install MusicStudio and everything it needs (system libraries for Qt/SDL when missing, Python packages).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"; then
  echo "MusicStudio needs Python 3.11 or newer" >&2; exit 1
fi
# Qt's offscreen/xcb platforms and SDL need a few shared libraries; install them if absent.
need=()
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || need+=("$lib")
done
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing system libraries for: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 >/dev/null
fi
"$PY" -m pip install -q --disable-pip-version-check -e ".[dev]"
