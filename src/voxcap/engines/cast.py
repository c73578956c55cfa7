"""A directed read as one engine: each stretch of a script by its speaker's engine and voice, at
its rate, with the silences the script asks for, joined into one narration at one sample rate.

A stretch is a run of consecutive sentences (:class:`voxcap.text.Sentence`) with one speaker
and one rate and no pause asked for inside it; its engine speaks it in one go, so a plain script
is spoken exactly as the engine alone would speak it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from voxcap.audio import resample
from voxcap.domain import Audio, Reference
from voxcap.engines.base import Engine, Progress, Span, Synthesis, SynthesisOptions
from voxcap.settings import Settings
from voxcap.text import Script, Sentence

TURN_GAP = 0.45  # seconds between two speakers' lines


@dataclass(frozen=True, slots=True)
class Part:
    """Who reads a speaker's lines: an engine and the voice it speaks in."""

    engine: Engine
    voice: str | Reference | None


class Cast:
    """An :class:`~voxcap.engines.Engine` over ``parts`` (by speaker; None: lines without one)."""

    def __init__(self, parts: dict[str | None, Part]) -> None:
        self.parts = parts
        engines = list({id(p.engine): p.engine for p in parts.values()}.values())
        self.name = "+".join(e.name for e in engines)
        self.presets: tuple[str, ...] = ()
        self.clones = any(e.clones for e in engines)
        self.seeded = any(e.seeded for e in engines)
        self.phonemes = all(getattr(e, "phonemes", False) for e in engines)

    @classmethod
    def languages(cls, voice: str | None, settings: Settings) -> frozenset[str] | None:
        """Unknown as a whole: each part's engine is asked in its own voice."""
        return None

    def preload(self) -> None:
        for part in self.parts.values():
            part.engine.preload()

    def check(self) -> None:
        for part in self.parts.values():
            part.engine.check()

    def synthesize(
        self,
        script: Script,
        voice: str | Reference | None,
        options: SynthesisOptions,
        progress: Progress | None = None,
    ) -> Synthesis:
        """Speak ``script``, each stretch by its part (``voice`` is each part's own)."""
        stretches = _stretches(script.sentences)
        total = sum(len(s.tokens) for run in stretches for s in run)
        done = 0
        takes: list[Synthesis] = []
        for run in stretches:
            part = self.parts.get(run[0].speaker) or self.parts[None]
            sub = Script(script.text, script.words, run)
            speed = options.speed * run[0].rate
            made = part.engine.synthesize(sub, part.voice, replace(options, speed=speed))
            takes.append(made)
            done += sum(len(s.tokens) for s in run)
            if progress:
                progress(done / total)
        rate = max(made.audio.sample_rate for made in takes)
        pieces: list[np.ndarray[Any, Any]] = []
        spans: list[Span] = []
        times: list[Span] | None = []
        offset = 0.0
        for k, (run, made) in enumerate(zip(stretches, takes, strict=True)):
            if k:
                gap = gap_between(stretches[k - 1][-1], run[0], options)
                pieces.append(np.zeros(round(gap * rate), dtype=np.float32))
                offset += len(pieces[-1]) / rate
            samples = resample(made.audio, rate).samples
            pieces.append(samples)
            spans.extend((offset + a, offset + b) for a, b in made.sentence_spans)
            if times is not None and made.token_times is not None:
                times.extend((offset + a, offset + b) for a, b in made.token_times)
            else:
                times = None
            offset += len(samples) / rate
        samples = np.concatenate(pieces).astype(np.float32)
        return Synthesis(Audio(samples, rate), tuple(spans), tuple(times) if times else None)


def _stretches(sentences: tuple[Sentence, ...]) -> list[tuple[Sentence, ...]]:
    """Sentences in runs to speak in one go: one speaker, one rate, no pause asked for
    inside."""
    runs: list[tuple[Sentence, ...]] = []
    current: list[Sentence] = []
    for sentence in sentences:
        if current and (
            sentence.speaker != current[-1].speaker
            or sentence.rate != current[-1].rate
            or current[-1].pause is not None
        ):
            runs.append(tuple(current))
            current = []
        current.append(sentence)
    runs.append(tuple(current))
    return runs


def gap_between(before: Sentence, after: Sentence, options: SynthesisOptions) -> float:
    """Silence between two stretches: what the script asks for, else a turn between
    speakers, else the usual pause between sentences."""
    if before.pause is not None:
        return before.pause
    return TURN_GAP if before.speaker != after.speaker else options.sentence_pause


def is_directed(script: Script) -> bool:
    """Whether ``script`` needs a :class:`Cast`: speakers, rates or pauses of its own."""
    return any(
        s.speaker is not None or s.rate != 1.0 or s.pause is not None for s in script.sentences
    )
