"""The jobs: scan, train, prepare, compose, measure, regenerate, evaluate, render, each with
`run`.

Jobs name their data instead of carrying it: a corpus is (folders, scan options) and is read
from the scan cache by whoever runs the job, a model is a bundle path. So a job crosses the
process boundary in a few hundred bytes (a piece to regenerate carries its notes), and the CLI and the engine run the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.base.progress import ProgressFn, TuningStep, no_progress
from musicstudio.core.compose.composer import ComposeSettings, Composition
from musicstudio.core.compose.regenerate import RegenerateSettings, Regeneration
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.models.config import ModelConfig
from musicstudio.core.learn.training import TrainResult, TrainSettings
from musicstudio.core.music.corpus import Corpus, CorpusError, CorpusSource
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.measuring import measure
from musicstudio.core.music.midi import NoteArray


def _learnable(
    source: CorpusSource, workspace: Workspace, cancel: CancelToken | None = None
) -> Corpus:
    """The corpus of a source, which must have files to learn from."""
    corpus = workspace.corpus(source, no_progress, cancel)
    if not corpus.streams:
        raise CorpusError(f"no usable MIDI files in {', '.join(source.paths)}")
    return corpus


@dataclass(frozen=True)
class ScanJob:
    """Scan folders into a corpus: every file reported, the vocabulary built."""

    kind: ClassVar[str] = "scan"
    needs_tensorflow: ClassVar[bool] = False
    source: CorpusSource

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> Corpus:
        return workspace.corpus(self.source, progress, cancel)


@dataclass(frozen=True)
class TrainJob:
    """Train a model on a corpus; the bundle is written as training goes (best epoch kept)."""

    kind: ClassVar[str] = "train"
    source: CorpusSource
    config: ModelConfig
    settings: TrainSettings
    bundle_path: str
    resume: bool = False
    name: str = ""

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> TrainResult:
        from musicstudio.core.learn.dataset import TrainingData
        from musicstudio.core.learn.trainer import train

        corpus = _learnable(self.source, workspace, cancel)
        s = self.settings
        data = TrainingData.from_corpus(
            corpus, s.validation_share, s.seed, augment=s.augment, window=self.config.window
        )
        result = train(
            data,
            self.config,
            s,
            Path(self.bundle_path),
            progress,
            cancel,
            resume=self.resume,
            name=self.name or Path(self.bundle_path).stem,
        )
        if result.cancelled and result.bundle is None:
            raise Cancelled()  # stopped before one epoch: nothing to keep
        if result.bundle is None or result.cancelled:
            return result
        return replace(result, tuned=self._tune(result.bundle, data, progress, cancel))

    @staticmethod
    def _tune(bundle: Path, data: Any, progress: ProgressFn, cancel: CancelToken) -> str:
        """The job's last stage: the sampling temperatures tuned to the training folder,
        validation and training files both, in words ("" when not tuned)."""
        from musicstudio.core.compose.tuning import tune_bundle

        def report(done: int, total: int) -> None:
            progress(1.0, TuningStep(done, total))

        tuning = tune_bundle(bundle, [*data.validation, *data.train], cancel, report)
        return tuning.in_words() if tuning is not None else ""


@dataclass(frozen=True)
class PrepareJob:
    """Load a model and compose a few events now, so the user's first Compose is fast."""

    kind: ClassVar[str] = "prepare"
    needs_tensorflow: ClassVar[bool] = False
    bundle_path: str

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> None:
        workspace.composer(self.bundle_path).compose(
            ComposeSettings(form="none", length=4, primer="corpus")
        )


@dataclass(frozen=True)
class ComposeJob:
    """Compose pieces with a model, each measured against the corpus it should sound like
    (`measure=False`: not measured, for the app, which shows them first and asks a MeasureJob)."""

    kind: ClassVar[str] = "compose"
    needs_tensorflow: ClassVar[bool] = False
    bundle_path: str
    settings: ComposeSettings
    measure_against: CorpusSource | None = None  # None: the primers stored in the bundle
    measure: bool = True

    def run(
        self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace
    ) -> list[Composition]:
        composer = workspace.composer(self.bundle_path)
        pieces = composer.compose(self.settings, progress, cancel)
        copies = [self._avoid_copies(composer, piece, workspace, cancel) for piece in pieces]
        for piece, words in zip(pieces, copies, strict=True):
            piece.metrics = words
        if self.measure:
            measure = MeasureJob(
                self.bundle_path,
                tuple((p.tokens, p.notes, p.key) for p in pieces),
                self.measure_against,
            )
            for piece, metrics in zip(
                pieces, measure.run(progress, cancel, workspace), strict=True
            ):
                piece.metrics = piece.metrics.merged(metrics)
        return pieces

    def _avoid_copies(
        self, composer: Any, piece: Composition, workspace: Workspace, cancel: CancelToken
    ) -> Measures:
        """Compose a piece's copies of the training files again (the Avoid copies setting);
        what was found and is left, for the metrics."""
        from musicstudio.core.compose.avoid_copies import avoid_copies, copies_in

        index = workspace.novelty_index(self.measure_against)
        if index is None:
            return Measures()
        s = self.settings
        if not s.constraints.novelty_guard:
            left = copies_in(piece, index)
            words = "; ".join(c.in_words() for c in left) or "no copies of the training files"
            return Measures(copies=len(left), copies_words=words)
        result = avoid_copies(composer, piece, index, s.sampling, s.constraints, cancel)
        return Measures(copies=len(result.left), copies_words=result.in_words())


@dataclass(frozen=True)
class MeasureJob:
    """Quality figures of pieces and how close they sound to a corpus. Measuring against a
    folder first reads and profiles it (seconds, once per corpus): the app composes without
    measuring, shows the piano roll, then asks this job and fills the metrics line in."""

    kind: ClassVar[str] = "measure"
    needs_tensorflow: ClassVar[bool] = False
    bundle_path: str
    #: (tokens, notes, the key it was locked to or "") of each: the new music
    pieces: tuple[tuple[np.ndarray, NoteArray, str], ...]
    measure_against: CorpusSource | None = None  # None: the primers stored in the bundle

    def run(
        self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace
    ) -> list[Measures]:
        bundle = workspace.composer(self.bundle_path).bundle
        profile = workspace.profile(bundle, self.measure_against)
        reference = workspace.reference(bundle, self.measure_against)
        measured = []
        for tokens, notes, key in self.pieces:
            cancel.raise_if_cancelled()
            measured.append(measure(tokens, notes, profile, reference, bundle.form, key))
        return measured


@dataclass(frozen=True)
class RegenerateJob:
    """Compose some bars (and parts) of a piece again, joining what follows; the new piece is
    measured against the corpus as a composition is."""

    kind: ClassVar[str] = "regenerate"
    needs_tensorflow: ClassVar[bool] = False
    bundle_path: str
    notes: NoteArray
    settings: RegenerateSettings
    measure_against: CorpusSource | None = None  # None: the primers stored in the bundle

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> Regeneration:
        from musicstudio.core.compose.regenerate import regenerate
        from musicstudio.core.music.events import encode

        composer = workspace.composer(self.bundle_path)
        result = regenerate(composer, self.notes, self.settings, progress, cancel)
        tokens = composer.bundle.vocab.tokenize(encode(result.notes)).tokens  # the whole piece
        profile = workspace.profile(composer.bundle, self.measure_against)
        reference = workspace.reference(composer.bundle, self.measure_against)
        result.metrics = measure(tokens, result.notes, profile, reference, composer.bundle.form)
        return result


@dataclass(frozen=True)
class ClosenessJob:
    """How close a model's compositions are to a corpus, feature by feature (and the corpus's
    own halves against each other, the yardstick)."""

    kind: ClassVar[str] = "closeness"
    needs_tensorflow: ClassVar[bool] = False
    bundle_path: str
    source: CorpusSource
    pieces: int = 20
    events: int = 256
    seed: int = 0

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> Any:
        from musicstudio.core.compose.sampling import SamplingSettings
        from musicstudio.core.music.closeness import closeness, corpus_against_itself

        composer = workspace.composer(self.bundle_path)
        reference = workspace.reference(composer.bundle, self.source)
        settings = ComposeSettings(
            form="none",
            length=reference.length_for(self.events),
            variations=self.pieces,
            sampling=SamplingSettings(seed=self.seed),
        )
        pieces = composer.compose(settings, progress, cancel)
        return {
            "model": closeness([p.tokens for p in pieces], reference),
            "corpus": corpus_against_itself(reference, self.events),
            "events": settings.length,
            "excerpts": len(reference.features(settings.length)),
        }


@dataclass(frozen=True)
class EvaluateJob:
    """Loss, accuracy and perplexity per head of a model on a corpus (held-out files)."""

    kind: ClassVar[str] = "evaluate"
    bundle_path: str
    source: CorpusSource
    batch_size: int = 32

    def run(
        self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace
    ) -> dict[str, Any]:
        from musicstudio.core.learn.evaluation import evaluate

        bundle = load_bundle(self.bundle_path)
        corpus = _learnable(self.source, workspace, cancel)
        streams = bundle.vocab.tokenize_many(corpus.streams)
        result: dict[str, Any] = evaluate(bundle, streams, self.batch_size, cancel)
        result["files"] = corpus.stats["ok"]
        return result


@dataclass(frozen=True)
class RenderJob:
    """Synthesize a piece (a MIDI file or its notes) with the SoundFont into a WAV file."""

    kind: ClassVar[str] = "render"
    needs_tensorflow: ClassVar[bool] = False
    source: str | NoteArray
    out_path: str
    soundfont: str | None = None
    sample_rate: int = 44100

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> str:
        from musicstudio.core.sound.render import render_wav

        out = render_wav(
            self.source, self.out_path, self.soundfont, self.sample_rate, progress, cancel
        )
        return str(out)


@dataclass(frozen=True)
class MusicXmlJob:
    """Write a piece's notes as MusicXML (music21 takes seconds on a long piece)."""

    kind: ClassVar[str] = "musicxml"
    needs_tensorflow: ClassVar[bool] = False
    notes: NoteArray
    out_path: str

    def run(self, progress: ProgressFn, cancel: CancelToken, workspace: Workspace) -> str:
        from musicstudio.core.music.musicxml import write_musicxml

        return str(write_musicxml(self.out_path, self.notes))


Job = (
    ScanJob
    | TrainJob
    | PrepareJob
    | ComposeJob
    | MeasureJob
    | RegenerateJob
    | ClosenessJob
    | EvaluateJob
    | RenderJob
    | MusicXmlJob
)
