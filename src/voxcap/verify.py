"""Verification: is every word of the text spoken, and nothing else?

A forced aligner always "finds" every word, even one that was never spoken. Each take of a
sentence (or of the sentences an engine spoke in one go) is therefore searched twice by
pocketsphinx (:meth:`voxcap.align.sphinx.SphinxAligner.check`):

- **forced**: the words in order, each with its *fit*: the mean, per 10 ms frame, of the log of
  its acoustic score relative to the best-scoring sound of that frame (a goodness of
  pronunciation). It fails when words are missing at the end (a sentence cut short);
- **free**: the same words, where any word of three sounds or more may be left out or said
  twice. Where it hears something other than the text (a word left out, one said twice, or
  other speech in its place) and a word there fits the forced alignment :data:`CONFIRM` worse
  than the narration's typical word, the sentence has **failed**.

A word whose fit is :data:`DROP` worse than the typical word (garbled, or drowned out by
noise) makes its sentence **suspect**. The typical fit is the median over the narration's
words, so a voice that the acoustic model fits less well is judged against itself. Each word
gets a confidence, 0-1, from how its fit compares (0.5 at :data:`DROP` below the typical).

The rules and their thresholds were chosen on the test set of tests/faults.py (numbers and
recipe in docs/VERIFY.md). The acoustic model is en-US: verification reads English only.
"""

from __future__ import annotations

import difflib
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from voxcap.align.base import Check
from voxcap.domain import Status

DROP = 3.0  # a word this much below the typical fit is unclear: its sentence is suspect
CONFIRM = 0.5  # a difference the free search heard counts where a word by it is this much below
SLOPE = 2.0  # how fast confidence falls around DROP below the typical fit
FULL = 0.1  # seconds: a shorter word's fit is drawn toward the typical one (few frames: noisy)
PRIOR = -1.2  # the typical fit of natural speech (Piper voices), for texts of a few words
PRIOR_WEIGHT = 3  # ... counted as this many words
RANK: dict[Status, int] = {"ok": 0, "suspect": 1, "failed": 2}


@dataclass(frozen=True, slots=True)
class Verdict:
    """A take judged: per sentence of it, its status and reason; per token, a confidence."""

    statuses: tuple[Status, ...]
    reasons: tuple[str, ...]
    confidence: tuple[float, ...]

    @property
    def worst(self) -> Status:
        return max(self.statuses, key=RANK.__getitem__)

    def score(self) -> tuple[int, int, float]:
        """Lower is better: failed sentences, suspect ones, then the least confident word."""
        return (
            self.statuses.count("failed"),
            self.statuses.count("suspect"),
            -min(self.confidence, default=1.0),
        )


def typical_fit(checks: Sequence[Check]) -> float:
    """The narration's typical word fit: the median over its words (of :data:`FULL` or
    longer), with :data:`PRIOR_WEIGHT` words of :data:`PRIOR` for a text of a few words."""
    fits = [PRIOR] * PRIOR_WEIGHT
    for check in checks:
        if check.spans is not None and check.fits is not None:
            fits += [f for f, (s, e) in zip(check.fits, check.spans, strict=True) if e - s >= FULL]
    return statistics.median(fits)


def judge(check: Check, tokens: Sequence[str], sizes: Sequence[int], typical: float) -> Verdict:
    """Judge a take of ``tokens``: ``sizes`` is how many tokens each of its sentences has."""
    firsts = [sum(sizes[:k]) for k in range(len(sizes))]
    problems: list[list[tuple[Status, str]]] = [[] for _ in sizes]

    def sentence(token: int) -> int:
        return max(k for k, first in enumerate(firsts) if first <= min(token, len(tokens) - 1))

    if check.spans is None or check.fits is None:
        prefix = check.heard or []
        said = len(prefix) if prefix == list(tokens[: len(prefix)]) else 0
        missing = _quote(tokens[said:])
        for k in range(len(sizes)):
            if firsts[k] + sizes[k] > said:
                problems[k].append(("failed", f"not all spoken: {missing} missing or cut short"))
        return _verdict(problems, [0.0] * len(tokens))
    fits = [_shrunk(f, e - s, typical) for f, (s, e) in zip(check.fits, check.spans, strict=True)]
    confidence = [1.0 / (1.0 + math.exp(-SLOPE * (f - typical + DROP))) for f in fits]
    heard = check.heard if check.heard is not None else []
    ops = difflib.SequenceMatcher(a=list(tokens), b=heard, autojunk=False).get_opcodes()
    for op, a, b, c, d in ops:
        if op == "equal":
            continue
        near = range(max(a - 1, 0), min(max(b, a + 1) + 1, len(tokens)))
        if not any(fits[i] < typical - CONFIRM for i in near):
            continue  # the free search slipped where the forced alignment fits well
        where = sentence(a)
        if op == "delete":
            problems[where].append(("failed", f"{_quote(tokens[a:b])} not spoken"))
            confidence[a:b] = [0.0] * (b - a)
        elif op == "insert":
            extra = heard[c:d]
            repeated = extra == list(tokens[max(a - len(extra), 0) : a])
            after = _quote(tokens[a - 1 : a]) if a else "the start"
            what = f"{_quote(extra)} said twice" if repeated else f"extra speech after {after}"
            problems[where].append(("failed", what))
        else:
            problems[where].append(("failed", f"{_quote(tokens[a:b])} not spoken as written"))
            confidence[a:b] = [min(x, 0.1) for x in confidence[a:b]]
    for i, f in enumerate(fits):
        if f < typical - DROP:
            problems[sentence(i)].append(("suspect", f"{_quote(tokens[i : i + 1])} unclear"))
    return _verdict(problems, confidence)


def _verdict(problems: list[list[tuple[Status, str]]], confidence: list[float]) -> Verdict:
    statuses: list[Status] = []
    for found in problems:
        statuses.append(max((s for s, _ in found), key=RANK.__getitem__, default="ok"))
    reasons = tuple("; ".join(dict.fromkeys(r for _, r in found)) for found in problems)
    return Verdict(tuple(statuses), reasons, tuple(round(c, 3) for c in confidence))


def _shrunk(fit: float, seconds: float, typical: float) -> float:
    """A word's fit, drawn toward the typical one in proportion to how far it is shorter than
    :data:`FULL` (a 30 ms "a" has too few frames to say much)."""
    weight = min(max(seconds, 0.0) / FULL, 1.0)
    return weight * fit + (1 - weight) * typical


def _quote(tokens: Sequence[str]) -> str:
    return "'" + " ".join(tokens) + "'"
