"""ModelBundle: one .msb file (a zip) with the weights, vocabulary, settings and history.

Loading never runs code from the file: the model is rebuilt from a validated config by
our own builders and only plain arrays are read (NumPy, allow_pickle=False), so no
Keras config, Lambda layer or pickle from a stranger is ever deserialised.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.files import atomic_write_bytes
from musicstudio.core.base.resources import sample_corpus_dir
from musicstudio.core.learn.bundle_info import (
    CorpusInfo,
    EpochFigures,
    Tuning,
    best_val_loss,
    history_of,
)
from musicstudio.core.learn.models.config import ConfigError, ModelConfig, config_from_dict
from musicstudio.core.music.constants import DEFAULT_THRESHOLD, REPRESENTATION_VERSION
from musicstudio.core.music.corpus import CorpusSource, ScanOptions
from musicstudio.core.music.feel import FeelProfile
from musicstudio.core.music.form_profile import FormProfile
from musicstudio.core.music.vocab import N_STREAMS, Vocabulary, VocabularyError

BUNDLE_FORMAT = 1
SUFFIX = ".msb"
MEMBERS = {"manifest.json", "weights.npz"}
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_WEIGHTS_BYTES = 2 * 1024**3


class BundleError(MusicStudioError):
    """A model file that cannot be used, with the reason."""


@dataclass
class ModelBundle:
    """A trained model with everything needed to compose from it."""

    config: ModelConfig
    vocab: Vocabulary
    weights: list[np.ndarray]
    history: list[EpochFigures] = field(default_factory=list)
    corpus: CorpusInfo = field(default_factory=CorpusInfo)
    scan_options: ScanOptions = field(default_factory=ScanOptions)
    name: str = ""
    created: str = ""
    primers: list[np.ndarray] = field(default_factory=list)  # (P, N_STREAMS) training windows
    best_epoch: int = 0  # the epoch whose weights these are (0: not recorded)
    #: Sampling tuned to the corpus after training (compose/tuning.py); None: the app's defaults.
    sampling: Tuning | None = None
    #: How the training files' sections return (form_profile.py); None: an older model.
    form: FormProfile | None = None
    _model: Any = field(default=None, repr=False)

    @property
    def family(self) -> str:
        return self.config.family

    @property
    def epochs(self) -> int:
        return len(self.history)

    @property
    def part_programs(self) -> list[int]:
        """The GM program of every part: the one the training corpus used most."""
        return self.corpus.learned_parts()[1]

    @property
    def voice_programs(self) -> list[int]:
        """The GM program of every voice slot: the one the training corpus used most."""
        return self.corpus.learned_voices()[1]

    @property
    def voices(self) -> list[str]:
        """The voices the model learned (notes of the training corpus per voice, most first)."""
        return self.corpus.learned_voices()[0]

    @property
    def parts(self) -> list[str]:
        """The parts the model learned (notes of the training corpus per part, most first)."""
        return self.corpus.learned_parts()[0]

    @property
    def time_signature(self) -> tuple[int, int]:
        """The training corpus's most common time signature (bars of a composition)."""
        return self.corpus.time_signature

    @property
    def feel(self) -> FeelProfile | None:
        """The training corpus's feel (feel.py), kept in the manifest's corpus figures under
        "feel"; None (straight) for an older model or a damaged entry."""
        return self.corpus.feel

    def source(self, folder: str | None = None) -> CorpusSource | None:
        """The corpus to measure this model's pieces against: its training folder (or
        `folder`), scanned with the options it was trained with; None when it is not here."""
        return source_of(self.corpus, self.scan_options, folder)

    def best_val_loss(self) -> float | None:
        return best_val_loss(self.history)

    def model(self) -> Any:
        """The Keras model (built on first use; imports TensorFlow)."""
        if self._model is None:
            from musicstudio.core.learn.models import build_model

            model = build_model(self.config, self.vocab.sizes)
            _check_shapes(model, self.weights)
            model.set_weights(self.weights)
            self._model = model
        return self._model

    def manifest(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "representation": REPRESENTATION_VERSION,
            "name": self.name,
            "created": self.created or _dt.datetime.now().isoformat(timespec="seconds"),
            "config": self.config.to_dict(),
            "sizes": self.vocab.sizes,
            "vocab": self.vocab.to_json(),
            "history": self.history,
            "corpus": self.corpus.to_json(),
            "scan_options": asdict(self.scan_options),
            "weights": [list(w.shape) for w in self.weights],
            "primers": [np.asarray(p, np.int64).tolist() for p in self.primers],
            "best_epoch": self.best_epoch,
            "sampling": self.sampling.to_json() if self.sampling is not None else {},
            "form": self.form.to_json() if self.form is not None else None,
        }

    def save(self, path: str | Path) -> Path:
        """Write atomically: a crash mid-save never leaves a half file under the real name."""
        path = Path(path)
        buf = io.BytesIO()
        wbuf = io.BytesIO()
        np.savez(wbuf, **{f"w{i:04d}": w for i, w in enumerate(self.weights)})  # type: ignore[arg-type]
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(self.manifest()))
            z.writestr("weights.npz", wbuf.getvalue())
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, buf.getvalue())
        return path


def source_of(
    corpus: CorpusInfo, options: ScanOptions, folder: str | None = None
) -> CorpusSource | None:
    """A model's training folder (or `folder`) with the options it was trained with (its
    parts, threshold, transposition and key); None when the folder is not on this machine."""
    path = folder or corpus.folder
    if path and not Path(path).is_dir() and Path(path).name == "sample_corpus":
        path = str(sample_corpus_dir() or "")  # a shipped sample model, on another machine
    if not path or not Path(path).is_dir():
        return None
    return CorpusSource((path,), options)


def read_source(path: str | Path, folder: str | None = None) -> CorpusSource | None:
    """`ModelBundle.source` from the manifest alone (no weights, no TensorFlow)."""
    manifest = read_manifest(path)
    return source_of(CorpusInfo.from_json(manifest.get("corpus")), options_of(manifest), folder)


def options_of(manifest: dict[str, Any]) -> ScanOptions:
    """The scan options a manifest stores (an older model's threshold from its vocabulary)."""
    vocab = manifest.get("vocab")
    older = (
        vocab.get("threshold", DEFAULT_THRESHOLD) if isinstance(vocab, dict) else DEFAULT_THRESHOLD
    )
    return ScanOptions.from_json(manifest.get("scan_options"), older)


def _check_shapes(model: Any, weights: list[np.ndarray]) -> None:
    want = [tuple(w.shape) for w in model.get_weights()]
    got = [tuple(w.shape) for w in weights]
    if len(want) != len(got):
        raise BundleError(
            f"the weights do not fit this model ({len(got)} arrays, the model has {len(want)})"
        )
    for i, (a, b) in enumerate(zip(want, got, strict=True)):
        if a != b:
            raise BundleError(
                f"the weights do not fit this model (array {i}: {b} where {a} is expected);"
                " the vocabulary or settings were changed"
            )


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BundleError(f"{path} is not a file")
    if not zipfile.is_zipfile(path):
        raise BundleError(f"{path.name} is not a MusicStudio model file")
    z = zipfile.ZipFile(path)
    for info in z.infolist():
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or ".." in name.replace("\\", "/").split("/")
            or ":" in name
        ):
            raise BundleError(f"{path.name} has an unsafe member name {name!r}")
        if name not in MEMBERS:
            raise BundleError(f"{path.name} has an unexpected member {name!r}")
    missing = MEMBERS - set(z.namelist())
    if missing:
        raise BundleError(f"{path.name} is incomplete: {', '.join(sorted(missing))} missing")
    return z


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest alone (for model lists): no weights, no TensorFlow."""
    path = Path(path)
    try:
        with _open_zip(path) as z:
            if z.getinfo("manifest.json").file_size > MAX_MANIFEST_BYTES:
                raise BundleError(f"{path.name}: manifest too large")
            manifest = json.loads(z.read("manifest.json"))
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BundleError(f"{path.name} is damaged: {e}") from e
    if not isinstance(manifest, dict):
        raise BundleError(f"{path.name}: manifest is not an object")
    if manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"{path.name} has model format {manifest.get('format')!r}; this MusicStudio reads format {BUNDLE_FORMAT}"
        )
    found = manifest.get("representation")
    if found != REPRESENTATION_VERSION:
        before = {
            1: " (one merged piano line, before parts)",
            2: " (one line per part, before voices)",
        }.get(found if isinstance(found, int) else 0, "")
        raise BundleError(
            f"{path.name} was trained on event representation {found!r}{before};"
            f" this MusicStudio learns representation {REPRESENTATION_VERSION}"
            " (every track its own voice): retrain it on your MIDI folder"
        )
    return manifest


def load_bundle(path: str | Path) -> ModelBundle:
    """Load and validate a bundle; every problem is a BundleError with a clear message."""
    path = Path(path)
    manifest = read_manifest(path)
    try:
        raw = manifest.get("config")
        if isinstance(raw, dict):  # a model from before the meter input never read it
            raw = {"meter": False, **raw}
        config = config_from_dict(raw)  # type: ignore[arg-type]
        vocab = Vocabulary.from_json(manifest.get("vocab"))  # type: ignore[arg-type]
    except (ConfigError, VocabularyError) as e:
        raise BundleError(f"{path.name}: {e}") from e
    if manifest.get("sizes") != vocab.sizes:
        raise BundleError(
            f"{path.name}: vocabulary size {vocab.sizes} does not match the model's {manifest.get('sizes')}"
        )
    try:
        with _open_zip(path) as z:
            if z.getinfo("weights.npz").file_size > MAX_WEIGHTS_BYTES:
                raise BundleError(f"{path.name}: weights too large")
            with np.load(io.BytesIO(z.read("weights.npz")), allow_pickle=False) as npz:
                keys = sorted(npz.files)
                if keys != [f"w{i:04d}" for i in range(len(keys))]:
                    raise BundleError(f"{path.name}: unexpected weight names")
                weights = [npz[k] for k in keys]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise BundleError(f"{path.name} is damaged: {e}") from e
    if any(w.dtype.kind not in "fiu" for w in weights):
        raise BundleError(f"{path.name}: weights are not numeric arrays")
    if [list(w.shape) for w in weights] != manifest.get("weights"):
        raise BundleError(f"{path.name}: weights do not match the manifest")
    expected = config.parameter_count(vocab.sizes)  # type: ignore[attr-defined]
    if sum(int(w.size) for w in weights) != expected:
        raise BundleError(f"{path.name}: the weights do not fit the model settings and vocabulary")
    primers = _primers(manifest.get("primers"), vocab.sizes, path.name)
    return ModelBundle(
        config,
        vocab,
        weights,
        history_of(manifest.get("history")),
        CorpusInfo.from_json(manifest.get("corpus")),
        options_of(manifest),
        str(manifest.get("name", "")),
        str(manifest.get("created", "")),
        primers,
        best_epoch if isinstance(best_epoch := manifest.get("best_epoch"), int) else 0,
        Tuning.from_json(manifest.get("sampling")),
        FormProfile.from_json(manifest.get("form")),
    )


def _primers(raw: Any, sizes: dict[str, int], name: str) -> list[np.ndarray]:
    """Stored primer windows, checked against the stream sizes."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 1024:
        raise BundleError(f"{name}: primers are damaged")
    limits = np.array(list(sizes.values()))
    out = []
    for p in raw:
        try:
            arr = np.asarray(p, dtype=np.int64)
        except (TypeError, ValueError) as e:
            raise BundleError(f"{name}: primers are damaged") from e
        if (
            arr.ndim != 2
            or arr.shape[1] != N_STREAMS
            or arr.shape[0] > 4096
            or (arr < 0).any()
            or (arr >= limits).any()
        ):
            raise BundleError(f"{name}: a primer does not fit the vocabulary")
        out.append(arr.astype(np.int32))
    return out
