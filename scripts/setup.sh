#!/usr/bin/env bash
# Install MusicStudio into the project's own environment, .venv (system libraries for Qt/SDL when
# missing, then Python packages into the venv: a distribution's Python is externally managed, PEP 668).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
if ! command -v "$PY" >/dev/null; then
  echo "MusicStudio needs Python 3.11 or newer: '$PY' was not found" >&2; exit 1
fi
if ! "$PY" -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"; then
  echo "MusicStudio needs Python 3.11 or newer ($("$PY" --version 2>&1) found)" >&2; exit 1
fi
as_root_apt() { command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; }
apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. The venv. Debian and Ubuntu ship the venv module's pip (ensurepip) in a separate package.
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then
    ver=$("$PY" -c "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')")
    if as_root_apt; then
      echo "installing python$ver-venv (Python's venv module)"
      apt_install "python$ver-venv" || apt_install python3-venv
    else
      echo "Python's venv module is missing. Install it, then run this again:" >&2
      echo "  sudo apt-get install python$ver-venv" >&2
      exit 1
    fi
  fi
  echo "creating $VENV"
  if ! "$PY" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "could not create $VENV with $PY -m venv" >&2; exit 1
  fi
fi

# 2. Qt (its offscreen platform, and the xcb platform of an X11 desktop) and SDL need some shared
# libraries; install the Debian/Ubuntu packages of those that are absent (library=package).
libs=(
  libEGL.so.1=libegl1 libGL.so.1=libgl1 libxkbcommon.so.0=libxkbcommon0
  libfontconfig.so.1=libfontconfig1 libdbus-1.so.3=libdbus-1-3
  libxcb.so.1=libxcb1 libX11-xcb.so.1=libx11-xcb1 libxcb-cursor.so.0=libxcb-cursor0
  libxcb-icccm.so.4=libxcb-icccm4 libxcb-image.so.0=libxcb-image0
  libxcb-keysyms.so.1=libxcb-keysyms1 libxcb-randr.so.0=libxcb-randr0
  libxcb-render-util.so.0=libxcb-render-util0 libxcb-render.so.0=libxcb-render0
  libxcb-shape.so.0=libxcb-shape0 libxcb-shm.so.0=libxcb-shm0 libxcb-sync.so.1=libxcb-sync1
  libxcb-util.so.1=libxcb-util1 libxcb-xfixes.so.0=libxcb-xfixes0 libxcb-xkb.so.1=libxcb-xkb1
  libxkbcommon-x11.so.0=libxkbcommon-x11-0 libxcb-xinerama.so.0=libxcb-xinerama0
)
need=()
for pair in "${libs[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "${pair%%=*}" || need+=("${pair##*=}")
done
if [ ${#need[@]} -gt 0 ]; then
  if as_root_apt; then
    echo "installing system libraries: ${need[*]}"
    apt_install "${need[@]}"
  else
    echo "note: Qt may need these system packages: ${need[*]} (install them with your package manager)" >&2
  fi
fi

# 3. The Python packages, into the venv; skipped when pyproject.toml is unchanged since the last install.
stamp="$VENV/.musicstudio-installed"
want=$(cksum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[dev]"
  echo "$want" >"$stamp"
fi

# 4. The package's bytecode, as pip writes it for an installed wheel: the first start of every
# process reads it instead of compiling ~250 modules (0.1-0.2 s), also where PYTHONDONTWRITEBYTECODE
# is set. Stale files are checked against the sources' times by Python itself, never trusted.
"$VENV/bin/python" -m compileall -q musicstudio >/dev/null || true
