"""A narration's words timed take by take, each take verified, and retakes of what failed.

An engine speaks a script's sentences one by one, or several in one go (F5's chunks); such a
*group* lies in one stretch of the audio. Each group is aligned in its own stretch (the search
cost grows faster than the length, so this is several times quicker than one pass). With
verification (:mod:`voxcap.verify`), each group's take is judged too, and a group with a
sentence that is not ok is synthesised again with a new seed by engines that take one, up to
``attempts`` takes in all; the best take is kept. The kept takes replace the old ones in the
audio, and every word's time is measured in the final audio.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voxcap.aligners.base import Aligner, Check
from voxcap.aligners.sphinx import SphinxAligner
from voxcap.domain import Audio, Reference, Verification
from voxcap.engines.base import Engine, Span, Synthesis, SynthesisOptions
from voxcap.errors import AlignmentError
from voxcap.text import Script
from voxcap.verify import Verdict, judge, report, typical_fit

log = logging.getLogger(__name__)

FADE = 0.005  # seconds of fade where a retake meets the audio around it
SEED_STEP = 1_000_003  # attempt k of a seeded narration uses seed + k * SEED_STEP


@dataclass(frozen=True, slots=True)
class Group:
    """Consecutive sentences of the script that lie in one stretch of the audio."""

    sentences: tuple[int, ...]
    span: Span
    tokens: tuple[str, ...]
    sizes: tuple[int, ...]  # tokens per sentence


@dataclass(frozen=True, slots=True)
class Take:
    samples: np.ndarray
    spans: list[Span | None]  # per token, from the start of the take
    check: Check | None


@dataclass(frozen=True, slots=True)
class Narration:
    audio: Audio
    spans: list[Span | None]  # per token of the script, in the final audio
    verification: Verification | None
    confidence: list[float] | None  # per token of the script (verified only)
    retaken: bool  # some take was replaced (the engine's own timings no longer hold)
    timings: dict[str, float]  # {"retake": seconds spent on retakes}, when there were any


@dataclass(frozen=True, slots=True)
class Retakes:
    """What it takes to synthesise a group again; ``attempts``: takes at most."""

    engine: Engine
    voice: str | Reference | None
    options: SynthesisOptions
    attempts: int


def groups(script: Script, synthesis: Synthesis) -> list[Group]:
    """The script's sentences grouped by the stretch of audio they share."""
    out: list[Group] = []
    for n, (sentence, span) in enumerate(
        zip(script.sentences, synthesis.sentence_spans, strict=True)
    ):
        tokens = tuple(t.text for t in sentence.tokens)
        if out and out[-1].span == span:
            last = out[-1]
            out[-1] = Group(
                (*last.sentences, n), span, last.tokens + tokens, (*last.sizes, len(tokens))
            )
        else:
            out.append(Group((n,), span, tokens, (len(tokens),)))
    return out


def time_and_verify(
    script: Script,
    synthesis: Synthesis,
    aligner: Aligner,
    checker: SphinxAligner | None,
    retakes: Retakes | None,
    progress: Callable[[str, float], None],
) -> Narration:
    """Time (and with ``checker``, verify and retake) every group of ``synthesis``."""
    audio = synthesis.audio
    rate = audio.sample_rate
    parts = groups(script, synthesis)
    takes: list[Take] = []
    for n, group in enumerate(parts):
        start, end = round(group.span[0] * rate), round(group.span[1] * rate)
        takes.append(_take(audio.samples[start:end], rate, group, aligner, checker))
        progress("align", (n + 1) / len(parts))
    if checker is None:
        return Narration(
            *_assemble(audio, parts, takes, [False] * len(parts)), None, None, False, {}
        )
    typical = typical_fit([t.check for t in takes if t.check is not None])
    verdicts = [_judge(t, g, typical) for t, g in zip(takes, parts, strict=True)]
    attempts = [1] * len(parts)
    replaced = [False] * len(parts)
    started = time.perf_counter()
    if retakes is not None and retakes.attempts > 1 and getattr(retakes.engine, "seeded", False):
        todo = [i for i, v in enumerate(verdicts) if v.worst != "ok"]
        for done, i in enumerate(todo):
            while attempts[i] < retakes.attempts and verdicts[i].worst != "ok":
                attempts[i] += 1
                log.info(
                    "sentence %d: %s; taking it again (take %d of at most %d)",
                    parts[i].sentences[0] + 1,
                    "; ".join(r for r in verdicts[i].reasons if r),
                    attempts[i],
                    retakes.attempts,
                )
                take = _retake(script, parts[i], retakes, attempts[i], aligner, checker)
                verdict = _judge(take, parts[i], typical)
                if verdict.score() < verdicts[i].score():
                    takes[i], verdicts[i], replaced[i] = take, verdict, True
            progress("retake", (done + 1) / len(todo))
    final, spans = _assemble(audio, parts, takes, replaced)
    return Narration(
        final,
        spans,
        report(
            script,
            [
                (status, reason, tries)
                for v, tries in zip(verdicts, attempts, strict=True)
                for status, reason in zip(v.statuses, v.reasons, strict=True)
            ],
            spans,
        ),
        [c for v in verdicts for c in v.confidence],
        any(replaced),
        {"retake": time.perf_counter() - started} if sum(attempts) > len(parts) else {},
    )


def _take(
    samples: np.ndarray,
    rate: int,
    group: Group,
    aligner: Aligner,
    checker: SphinxAligner | None,
) -> Take:
    piece = Audio(samples, rate)
    tokens = list(group.tokens)
    check = checker.check(piece, tokens) if checker is not None else None
    if check is not None and checker is aligner:  # the check's forced search is the alignment
        if check.spans is not None:
            return Take(samples, list(check.spans), check)
        return Take(samples, _placed(aligner, piece, tokens), check)
    try:
        spans: list[Span | None] = list(aligner.align(piece, tokens))
    except AlignmentError:
        if checker is None:
            raise
        spans = _placed(aligner, piece, tokens)
    return Take(samples, spans, check)


def _placed(aligner: Aligner, piece: Audio, tokens: list[str]) -> list[Span | None]:
    """A take with words missing: what is there placed, the rest None (reported)."""
    return list(aligner.place(piece, [tokens]).spans)


def _retake(
    script: Script,
    group: Group,
    retakes: Retakes,
    attempt: int,
    aligner: Aligner,
    checker: SphinxAligner,
) -> Take:
    sub = dataclasses.replace(script, sentences=tuple(script.sentences[n] for n in group.sentences))
    base = retakes.options.seed
    seed = (base + attempt * SEED_STEP) % 2**31 if base is not None else secrets.randbelow(2**31)
    options = dataclasses.replace(retakes.options, seed=seed)
    synthesis = retakes.engine.synthesize(sub, retakes.voice, options)
    rate = synthesis.audio.sample_rate
    start = round(synthesis.sentence_spans[0][0] * rate)
    end = round(synthesis.sentence_spans[-1][1] * rate)
    return _take(synthesis.audio.samples[start:end], rate, group, aligner, checker)


def _judge(take: Take, group: Group, typical: float) -> Verdict:
    assert take.check is not None
    return judge(take.check, group.tokens, group.sizes, typical)


def _assemble(
    audio: Audio, parts: list[Group], takes: list[Take], replaced: list[bool]
) -> tuple[Audio, list[Span | None]]:
    """The audio with each replaced group's stretch swapped for its kept take, and every
    token's span in it. Stretches that overlap (F5's cross-faded chunks) are cut in the middle
    of the overlap; the pauses between stretches stay as they are."""
    rate, samples = audio.sample_rate, audio.samples
    bounds = [(round(g.span[0] * rate), round(g.span[1] * rate)) for g in parts]
    regions = []
    for k, (start, end) in enumerate(bounds):
        lo = start if k == 0 or bounds[k - 1][1] <= start else (bounds[k - 1][1] + start) // 2
        nxt = bounds[k + 1][0] if k + 1 < len(bounds) else end
        hi = end if nxt >= end else (end + nxt) // 2
        regions.append((lo, max(hi, lo)))
    pieces: list[np.ndarray] = []
    spans: list[Span | None] = []
    at = out = 0  # samples of the original consumed, of the output written
    for (start, _), (lo, hi), take, new in zip(bounds, regions, takes, replaced, strict=True):
        pieces.append(samples[at:lo])
        out += max(lo - at, 0)
        body = _faded(take.samples, round(FADE * rate)) if new else samples[lo:hi]
        shift = out / rate if new else (out - (lo - start)) / rate
        pieces.append(body)
        out += len(body)
        at = hi
        spans.extend(None if s is None else (s[0] + shift, s[1] + shift) for s in take.spans)
    pieces.append(samples[at:])
    return Audio(np.concatenate(pieces).astype(np.float32), rate), spans


def _faded(samples: np.ndarray, n: int) -> np.ndarray:
    out = samples.astype(np.float32, copy=True)
    n = min(n, len(out) // 2)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out
