"""Takes with known faults, made by editing real speech: the test set of verification
(tests/test_verify.py, bench/verify.py, docs/VERIFY.md).

Each sentence is spoken alone (Piper, or espeak-ng through libespeak-ng) with the start of
every word known, and from it come six takes: the clean one, and one per fault:

- ``cut``: a word cut out (from its start to the next word's start);
- ``repeat``: a word said twice;
- ``replace``: three words replaced by as much of another sentence's speech;
- ``noise``: white noise :data:`NOISE_DB` dB louder than the speech over a word (drowned out);
- ``short``: the sentence cut short before its last 40 % of words.

The faulty word is drawn (seeded) among the words of four letters or more that are not the
first or the last: a dropped "a" or "the" is 30-60 ms of fluent speech, beyond what acoustic
checks tell reliably (docs/VERIFY.md).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from tests.longform import espeak_recording
from voxcap.domain import Audio

KINDS = ("clean", "cut", "repeat", "replace", "noise", "short")
NOISE_DB = 6.0


@dataclass(frozen=True)
class Take:
    """One take of ``sentence``: ``kind`` is its fault ("clean": none); ``word`` the index of
    the first faulty word."""

    kind: str
    sentence: str
    audio: Audio
    word: int | None


@dataclass(frozen=True)
class Spoken:
    """A sentence spoken alone and the start of each of its words in seconds (NaN: unknown)."""

    sentence: str
    audio: Audio
    starts: list[float]


def piper_spoken(sentences: list[str], speed: float = 1.0) -> list[Spoken]:
    """Each sentence read by Piper alone, its words' starts from Piper's phoneme timing."""
    from voxcap.aligners.timing import word_times
    from voxcap.engines.base import SynthesisOptions
    from voxcap.engines.piper import PiperEngine
    from voxcap.text import prepare

    engine, out = PiperEngine(), []
    for sentence in sentences:
        script = prepare(sentence)
        synthesis = engine.synthesize(script, None, SynthesisOptions(speed=speed))
        assert synthesis.token_times is not None
        words = word_times(script, synthesis.token_times, synthesis.audio.duration)
        out.append(Spoken(sentence, synthesis.audio, [w.start for w in words]))
    return out


def espeak_spoken(sentences: list[str]) -> list[Spoken]:
    """Each sentence spoken by espeak-ng alone, its words' starts from espeak-ng's events."""
    out = []
    for sentence in sentences:
        recording = espeak_recording([sentence])
        out.append(Spoken(sentence, recording.audio, recording.starts[0]))
    return out


def takes(spoken: list[Spoken], seed: int = 0) -> list[Take]:
    """The clean take and the five faulty ones of every sentence."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    out: list[Take] = []
    for k, item in enumerate(spoken):
        x, rate = item.audio.samples, item.audio.sample_rate
        words = item.sentence.split()
        at = [math.nan if math.isnan(s) else round(s * rate) for s in item.starts]
        choices = [
            w
            for w in range(1, len(words) - 1)
            if len(words[w].strip(",.!?")) >= 4 and not (math.isnan(at[w]) or math.isnan(at[w + 1]))
        ]
        w = rng.choice(choices)
        a, b = int(at[w]), int(at[w + 1])
        other = spoken[(k + 1) % len(spoken)].audio.samples
        ends = [s for s in at[w + 3 :] if not math.isnan(s)] or [len(x)]
        c = int(ends[0])
        noisy = x.copy()
        noisy[a:b] += noise.normal(
            0, math.sqrt(np.mean(x**2) * 10 ** (NOISE_DB / 10)), b - a
        ).astype(np.float32)
        short = next(int(s) for s in [*at[int(len(words) * 0.6) :], len(x)] if not math.isnan(s))
        edits = {
            "clean": (x, None),
            "cut": (np.concatenate([x[:a], x[b:]]), w),
            "repeat": (np.concatenate([x[:b], x[a:b], x[b:]]), w),
            "replace": (np.concatenate([x[:a], other[len(other) // 4 :][: c - a], x[c:]]), w),
            "noise": (np.clip(noisy, -1, 1), w),
            "short": (x[:short], int(len(words) * 0.6)),
        }
        for kind in KINDS:
            samples, word = edits[kind]
            out.append(Take(kind, item.sentence, Audio(samples.astype(np.float32), rate), word))
    return out


@dataclass(frozen=True)
class Judged:
    """A test set checked and judged as a narration is (against the typical fit of all its
    takes): per fault kind, (takes flagged suspect or failed, takes)."""

    counts: dict[str, tuple[int, int]]
    typical: float
    seconds: float  # wall time of the checks
    audio: float  # seconds of audio checked
    clean_flagged: list[str]  # "sentence (reason)" of each clean take flagged

    def caught(self) -> float:
        """The share of faulty takes flagged."""
        faulty = [self.counts[kind] for kind in KINDS if kind != "clean"]
        return sum(f for f, _ in faulty) / sum(t for _, t in faulty)


def judged(voice_takes: list[Take], checker: Any) -> Judged:
    """Check every take with ``checker`` (a SphinxAligner) and judge it."""
    from voxcap.text import prepare
    from voxcap.verify import judge, typical_fit

    checks, seconds = [], 0.0
    for take in voice_takes:
        tokens = [t.text for t in prepare(take.sentence).tokens]
        started = time.perf_counter()
        checks.append((tokens, checker.check(take.audio, tokens)))
        seconds += time.perf_counter() - started
    typical = typical_fit([c for _, c in checks])
    counts: dict[str, tuple[int, int]] = {}
    clean_flagged = []
    for take, (tokens, check) in zip(voice_takes, checks, strict=True):
        verdict = judge(check, tokens, [len(tokens)], typical)
        bad = verdict.worst != "ok"
        flagged, total = counts.get(take.kind, (0, 0))
        counts[take.kind] = (flagged + bad, total + 1)
        if take.kind == "clean" and bad:
            clean_flagged.append(f"{take.sentence} ({verdict.reasons[0]})")
    audio = sum(t.audio.duration for t in voice_takes)
    return Judged(counts, typical, seconds, audio, clean_flagged)
