"""espeak-ng: formant speech in 100+ languages, light and instant (Debian ``espeak-ng``).

A voice is an espeak-ng voice name with an optional variant: ``en-us``, ``en-gb``,
``en-us+f3`` (a female variant), ``fr``, ``de+m3``... (``espeak-ng --voices`` lists them).
It is robotic next to Piper or F5, but it speaks almost any language and gives a dialogue a
second and third voice with nothing to download. It reports no word timings of its own.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
from typing import Any

import numpy as np
import soundfile as sf

from voxcap.domain import Audio, Reference
from voxcap.engines.base import Progress, Span, Synthesis, SynthesisOptions
from voxcap.errors import EngineError, InvalidInput, MissingDependency, VoiceNotFound
from voxcap.settings import Settings
from voxcap.text import Script

DEFAULT = "en-us"
WORDS_PER_MINUTE = 175  # espeak-ng's own default, at speed 1
_VOICE_RE = re.compile(r"([a-z]{2,3}(?:-[a-z0-9]+)*)(?:\+([a-z0-9]+))?", re.IGNORECASE)


class EspeakEngine:
    """espeak-ng voices by name (``en-us``, ``en-us+f3``); each sentence is one process."""

    name = "espeak"
    presets = ("en-us", "en-gb", "en-us+f3", "en-us+m3", "en-gb+f4")
    clones = False
    seeded = False
    phonemes = False  # espeak-ng's [[ ]] is its own phoneme set, not IPA: aliases instead

    def __init__(self, settings: Settings | None = None) -> None:
        self._default = DEFAULT

    @classmethod
    def languages(cls, voice: str | None, settings: Settings) -> frozenset[str] | None:
        m = _VOICE_RE.fullmatch(voice or DEFAULT)
        return frozenset({m[1].split("-")[0].lower()}) if m else None

    def preload(self) -> None:
        self.check()

    def check(self) -> None:
        _exe()

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
                f"espeak speaks its own voices and cannot clone {voice.name!r}; use the f5 engine"
            )
        name = _voice(voice or self._default)
        speed = str(round(WORDS_PER_MINUTE * options.speed))
        pieces: list[np.ndarray[Any, Any]] = []
        spans: list[Span] = []
        rate, offset = 0, 0
        for n, sentence in enumerate(script.sentences):
            samples, rate = _speak(name, speed, sentence.speech)
            if n:
                pause = np.zeros(round(options.sentence_pause * rate), dtype=np.float32)
                pieces.append(pause)
                offset += len(pause)
            pieces.append(samples)
            spans.append((offset / rate, (offset + len(samples)) / rate))
            offset += len(samples)
            if progress:
                progress((n + 1) / len(script.sentences))
        audio = Audio(np.concatenate(pieces).astype(np.float32), rate)
        return Synthesis(audio, tuple(spans), None)


@functools.cache
def _exe() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MissingDependency(
            "the espeak engine needs espeak-ng (Debian/Ubuntu: apt-get install espeak-ng)"
        )
    return exe


@functools.cache
def _known() -> frozenset[str]:
    """Every voice and variant name espeak-ng has."""
    names: set[str] = set()
    for kind in ("", "=variant"):
        done = subprocess.run(
            [_exe(), f"--voices{kind}"], capture_output=True, text=True, timeout=30, check=False
        )
        for line in done.stdout.splitlines()[1:]:
            cells = line.split()
            if len(cells) >= 5:
                names.add(cells[1].lower())
                names.add(cells[4].rsplit("/", 1)[-1].lower())
    return frozenset(names)


def _voice(voice: str) -> str:
    """``voice`` if espeak-ng has it (and its variant). Raises VoiceNotFound."""
    m = _VOICE_RE.fullmatch(voice)
    known = _known()
    if m is None or m[1].lower() not in known or (m[2] and m[2].lower() not in known):
        raise VoiceNotFound(
            f"espeak voice {voice!r} not found: give a language such as 'en-us', with a "
            "variant if you like ('en-us+f3'); espeak-ng --voices lists them"
        )
    return voice


def _speak(voice: str, speed: str, text: str) -> tuple[np.ndarray[Any, Any], int]:
    try:
        done = subprocess.run(
            [_exe(), "-v", voice, "-s", speed, "--stdout", "--", text],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EngineError("espeak-ng took over 2 minutes for one sentence") from None
    if done.returncode != 0 or not done.stdout:
        raise EngineError(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip()}")
    samples, rate = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return samples.reshape(-1), int(rate)
