"""The Engine protocol: a prepared script in, mono float32 speech (and maybe word timings) out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from voxcap.domain import Audio, Reference
from voxcap.settings import Settings
from voxcap.text import Script

Progress = Callable[[float], None]
Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class SynthesisOptions:
    """Engine-independent options. ``speed`` > 1 speaks faster."""

    speed: float = 1.0
    sentence_pause: float = 0.25
    seed: int | None = None  # None: random (engines that sample)


@dataclass(frozen=True, slots=True)
class Synthesis:
    """Speech for a script. ``sentence_spans`` has one (start, end) per script sentence, where
    its audio lies (consecutive sentences an engine spoke in one go may share one span);
    ``token_times`` has one (start, end) per script token, or is None when the engine cannot
    report its own timings."""

    audio: Audio
    sentence_spans: tuple[Span, ...]
    token_times: tuple[Span, ...] | None


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a narration as a streaming engine makes it: ``samples`` follow the previous
    piece's, and ``sentences`` are the script sentences whose audio is complete with this
    piece, each with its (start, end) in seconds from the start of the narration."""

    samples: np.ndarray[Any, Any]
    rate: int
    sentences: tuple[tuple[int, Span], ...]


class Engine(Protocol):
    """A text-to-speech engine. Loaded once per process and reused across requests."""

    name: str
    presets: tuple[str, ...]  # voice names the engine itself knows
    clones: bool  # speaks in the voice of a Reference (a clip and its transcript)
    seeded: bool  # samples from a seed: another seed gives another take (verification retakes)
    phonemes: bool  # says IPA tokens (voxcap.text.direction.ipa_token) as raw phonemes

    @classmethod
    def languages(cls, voice: str | None, settings: Settings) -> frozenset[str] | None:
        """The language codes (:mod:`voxcap.text.language`) the engine speaks in ``voice``
        (None: its default), told without loading anything; None when it cannot tell."""
        ...

    def preload(self) -> None:
        """Load the default voice now (cold start) rather than on the first request."""
        ...

    def check(self) -> None:
        """Raise (ModelNotFound, VoiceNotFound, ...) if the engine cannot run here, without
        loading anything: what a readiness probe asks."""
        ...

    def synthesize(
        self,
        script: Script,
        voice: str | Reference | None,
        options: SynthesisOptions,
        progress: Progress | None = None,
    ) -> Synthesis:
        """Speak ``script`` in ``voice``: a reference to clone (a library voice or a clip with
        its transcript), a path or name the engine knows, or None for the engine's default.

        Raises:
            VoiceNotFound: the voice is unknown to this engine.
            EngineError: the engine failed.
        """
        ...


@runtime_checkable
class StreamingEngine(Protocol):
    """An engine that makes its narration in pieces (F5: chunk by chunk) and hands each out as
    soon as no later piece can change it; the pieces concatenate to :meth:`Engine.synthesize`'s
    audio for the same seed. Engines without it are streamed sentence by sentence."""

    def stream(
        self, script: Script, voice: str | Reference | None, options: SynthesisOptions
    ) -> Iterator[Piece]: ...
