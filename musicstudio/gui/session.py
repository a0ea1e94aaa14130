"""What the three panels share: the corpus, the models, the compositions (no window singleton)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from musicstudio.core.base.resources import models_dir, sample_models_dir
from musicstudio.core.learn.bundle import BundleError, read_manifest
from musicstudio.core.learn.bundle_info import CorpusInfo, Tuning, best_val_loss, history_of
from musicstudio.core.music.corpus import Corpus
from musicstudio.core.music.voices import DEFAULT_VOICE_PROGRAMS
from musicstudio.gui.jobs import EngineClient


@dataclass
class ModelEntry:
    """One row of the model list."""

    path: Path
    name: str
    family: str
    dataset: str
    epochs: int
    val_loss: float | None
    date: str
    sample: bool = False
    parts: list[str] = field(default_factory=list)  # learned, most notes first
    voices: list[str] = field(default_factory=list)  # learned, most notes first
    programs: list[int] = field(default_factory=lambda: list(DEFAULT_VOICE_PROGRAMS))  # per slot
    sampling: Tuning | None = None  # tuned after training (None: the app's defaults)


class Session(QObject):
    """Shared state; panels listen to its signals."""

    corpus_changed = Signal(object)  # Corpus | None
    models_changed = Signal()
    model_selected = Signal(object)  # Path
    compositions_changed = Signal(list)
    message = Signal(str)  # a readable error or notice for the status bar / dialog

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.corpus: Corpus | None = None
        self.engine = EngineClient(self)
        self.models: list[ModelEntry] = []
        self.compositions: list[Any] = []
        self.current_model: Path | None = None

    def set_corpus(self, corpus: Corpus | None) -> None:
        self.corpus = corpus
        self.corpus_changed.emit(corpus)

    def set_compositions(self, pieces: list[Any]) -> None:
        self.compositions = pieces
        self.compositions_changed.emit(pieces)

    def select_model(self, path: Path) -> None:
        self.current_model = path
        self.remember("recent_models", str(path))
        self.model_selected.emit(path)

    def model_entry(self, path: Path) -> ModelEntry | None:
        """The list's entry of a model file (read from the file when it is not listed)."""
        for entry in self.models:
            if entry.path == path:
                return entry
        return self._entry(path, False) if path.is_file() else None

    def refresh_models(self) -> None:
        """Re-read the model list: the user's models, then the shipped samples."""
        entries: list[ModelEntry] = []
        folders = [(models_dir(), False)]
        shipped = sample_models_dir()
        if shipped is not None:
            folders.append((shipped, True))
        extra = [Path(p) for p in self.recent("recent_models")]
        seen: set[Path] = set()
        for folder, sample in folders:
            if folder.is_dir():
                for f in sorted(folder.glob("*.msb")):
                    entry = self._entry(f, sample)
                    if entry is not None:
                        entries.append(entry)
                        seen.add(f.resolve())
        for f in extra:
            if f.is_file() and f.resolve() not in seen:
                entry = self._entry(f, False)
                if entry is not None:
                    entries.append(entry)
        self.models = entries
        self.models_changed.emit()

    @staticmethod
    def _entry(path: Path, sample: bool) -> ModelEntry | None:
        try:
            m = read_manifest(path)
        except BundleError:
            return None
        history = history_of(m.get("history"))
        created = str(
            m.get("created") or _dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat()
        )
        corpus = CorpusInfo.from_json(m.get("corpus"))
        folder = Path(corpus.folder).name
        parts = corpus.learned_parts()[0]
        voices, programs = corpus.learned_voices()
        return ModelEntry(
            path,
            str(m.get("name") or path.stem),
            str((m.get("config") or {}).get("family", "?")),
            folder or "—",
            len(history),
            best_val_loss(history),
            created[:16].replace("T", " "),
            sample,
            parts,
            voices,
            programs,
            Tuning.from_json(m.get("sampling")),
        )

    # -- recent lists ------------------------------------------------------------------
    def recent(self, key: str) -> list[str]:
        value = self.settings.value(key, [])
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [str(v) for v in values]

    def remember(self, key: str, item: str) -> None:
        items = [item] + [i for i in self.recent(key) if i != item]
        self.settings.setValue(key, items[:8])
