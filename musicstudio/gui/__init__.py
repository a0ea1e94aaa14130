"""The PySide6 desktop app: a thin layer over musicstudio.core (no music or ML logic here)."""
