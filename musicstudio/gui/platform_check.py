"""Before Qt starts on a Linux desktop: are the X11 (xcb) libraries Qt needs there?

When one is missing, Qt prints a long message and aborts inside QApplication, where Python
cannot catch it. Checked first, the user gets one line that names the missing libraries and
the command that installs them.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: What Qt's xcb platform plugin loads (found with ldd and QT_DEBUG_PLUGINS=1 on PySide6 6.11),
#: and the Debian/Ubuntu package of each. libxcb-cursor is loaded at run time by Qt >= 6.5.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
}


def uses_xcb(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Qt will pick its X11 platform: Linux, a DISPLAY, and no other platform asked for."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def missing_xcb_libraries() -> list[str]:
    """The libraries of XCB_LIBRARIES the dynamic loader cannot find."""
    missing = []
    for soname in XCB_LIBRARIES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(soname)
    return missing


def xcb_problem() -> str | None:
    """One line for the user when Qt's X11 platform cannot start here, else None."""
    if not uses_xcb():
        return None
    missing = missing_xcb_libraries()
    if not missing:
        return None
    packages = " ".join(XCB_LIBRARIES[m] for m in missing)
    return (
        f"MusicStudio cannot open its window: Qt's X11 platform needs {', '.join(missing)}."
        f" Install them with: sudo apt-get install {packages}"
        " (or run bash scripts/setup.sh as root)"
    )
