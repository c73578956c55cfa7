"""Verification: is every word of the text spoken, and nothing else?

A forced aligner always "finds" every word, even one that was never spoken. Each take of a
sentence (or of the sentences an engine spoke in one go) is therefore searched twice by
pocketsphinx (:meth:`voxcap.aligners.sphinx.SphinxAligner.check`):

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxcap.aligners.base import Check
from voxcap.aligners.sphinx import REDUCED
from voxcap.domain import Audio, SentenceCheck, Status, Verification
from voxcap.engines.base import Span
from voxcap.text import Script

if TYPE_CHECKING:
    from voxcap.aligners.sphinx import SphinxAligner

LANGUAGES = frozenset({"en"})  # what verification reads: pocketsphinx's model is en-US
DROP = 3.0  # a word this much below the typical fit is unclear: its sentence is suspect
LAX = 1.5  # ... more below for short and function words, which fluent speech reduces
CONFIRM = 0.5  # a difference the free search heard counts where a word by it is this much below
SLOPE = 2.0  # how fast confidence falls around DROP below the typical fit
FULL = 0.1  # seconds: a shorter word's fit is drawn toward the typical one (few frames: noisy)
PRIOR = -1.2  # the typical fit of natural speech (Piper voices), for texts of a few words
PRIOR_WEIGHT = 3  # ... counted as this many words
LONGEST = 60.0  # seconds: a longer stretch of a recording is not checked (its words were lost)
MARGIN = 0.5  # seconds of audio around a sentence of a recording when it is checked
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
    explained: set[int] = set()  # tokens by a difference found: not reported again as unclear
    for op, a, b, c, d in ops:
        if op == "equal":
            continue
        near = range(max(a - 1, 0), min(max(b, a + 1) + 1, len(tokens)))
        if not any(fits[i] < typical - CONFIRM for i in near):
            continue  # the free search slipped where the forced alignment fits well
        if op == "insert" and check.heard_fits and max(check.heard_fits[c:d]) < typical - DROP:
            continue  # what it heard there sounds like none of the words: a breath, a pause
        explained.update(near)
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
        lax = LAX if tokens[i] in REDUCED or len(tokens[i]) <= 3 else 0.0
        if f < typical - DROP - lax and i not in explained:
            problems[sentence(i)].append(("suspect", f"{_quote(tokens[i : i + 1])} unclear"))
    return _verdict(problems, confidence)


def report(
    script: Script, outcomes: Sequence[tuple[Status, str, int]], spans: Sequence[Span | None]
) -> Verification:
    """The verification of a narration or recording of ``script``: per sentence, its
    (status, reason, takes), and where its placed tokens (``spans``) lie."""
    sentences: list[SentenceCheck] = []
    first = 0
    for n, (sentence, (status, reason, takes)) in enumerate(
        zip(script.sentences, outcomes, strict=True)
    ):
        tokens = sentence.tokens
        placed = [s for s in spans[first : first + len(tokens)] if s is not None]
        words = script.words[tokens[0].word : tokens[-1].word + 1]
        if placed:
            start, end = placed[0][0], placed[-1][1]
        else:  # not spoken at all: where it would have been, after the words before it
            before = [s for s in spans[:first] if s is not None]
            start = end = before[-1][1] if before else 0.0
        sentences.append(
            SentenceCheck(n, " ".join(words), status, reason, takes, round(start, 3), round(end, 3))
        )
        first += len(tokens)
    return Verification(tuple(sentences))


def check_recording(
    checker: SphinxAligner,
    audio: Audio,
    script: Script,
    spans: Sequence[Span | None],
    progress: Callable[[float], None] | None = None,
) -> tuple[Verification, list[float], list[Span | None]]:
    """Verify a recording of ``script`` whose tokens were placed at ``spans`` (None: not
    found). Each sentence is checked in its stretch of the audio: from the end of the words
    before it to the start of the words after it, at most :data:`MARGIN` beyond its own. A
    sentence with words that were not found is checked together with the sentence before it:
    a word left out can make the aligner stretch that sentence over the next one's audio.
    Where such a check places every word, its times replace the missing ones (the words it
    hears are not spoken stay unplaced). A sentence none of whose words were found was skipped:
    it fails by itself ("not spoken", as written), and does not drag the sentence before it.

    Returns the verification, each token's confidence and the tokens' spans."""
    firsts = [0]
    for sentence in script.sentences:
        firsts.append(firsts[-1] + len(sentence.tokens))
    runs: list[list[int]] = []
    skipped: set[int] = set()
    for k in range(len(script.sentences)):
        own = spans[firsts[k] : firsts[k + 1]]
        whole = all(s is not None for s in own)
        if _skipped(spans, firsts, k):
            skipped.add(k)
            runs.append([k])
        elif runs and not whole and runs[-1][0] not in skipped:
            runs[-1].append(k)
        else:
            runs.append([k])
    out = list(spans)
    checks: list[tuple[Check | None, float]] = []
    for n, run in enumerate(runs):
        a, b = firsts[run[0]], firsts[run[-1] + 1]
        if run[0] in skipped:
            checks.append((None, 0.0))
            continue
        placed = [s for s in spans[a:b] if s is not None]
        before = [s[1] for s in spans[:a] if s is not None]
        after = [s[0] for s in spans[b:] if s is not None]
        lo = max(placed[0][0] - MARGIN if placed else 0.0, before[-1] if before else 0.0)
        hi = after[0] if after else audio.duration
        if len(placed) == b - a:
            hi = min(hi, placed[-1][1] + MARGIN)
        check = None
        if hi - lo <= LONGEST:
            rate = audio.sample_rate
            piece = Audio(audio.samples[round(lo * rate) : round(hi * rate)], rate)
            tokens = [t.text for k in run for t in script.sentences[k].tokens]
            check = checker.check(piece, tokens)
            if check.spans is not None and len(placed) < b - a:
                out[a:b] = [(s + lo, e + lo) for s, e in check.spans]
        checks.append((check, lo))
        if progress:
            progress((n + 1) / len(runs))
    typical = typical_fit([c for c, _ in checks if c is not None])
    outcomes: list[tuple[Status, str, int]] = []
    confidence: list[float] = []
    for run, (check, _) in zip(runs, checks, strict=True):
        a, b = firsts[run[0]], firsts[run[-1] + 1]
        tokens = [t.text for k in run for t in script.sentences[k].tokens]
        if run[0] in skipped:
            written = " ".join(script.words[script.tokens[a].word : script.tokens[b - 1].word + 1])
            outcomes.append(("failed", f"not spoken: {_shorten(written)}", 1))
            confidence += [0.0] * (b - a)
            continue
        if check is None:
            lost = [t for t, s in zip(tokens, out[a:b], strict=True) if s is None]
            outcomes += [("failed", f"{_quote(lost)} not found in the audio", 1)] * len(run)
            confidence += [0.0 if s is None else 0.5 for s in out[a:b]]
            continue
        sizes = [len(script.sentences[k].tokens) for k in run]
        verdict = judge(check, tokens, sizes, typical)
        outcomes += [(s, r, 1) for s, r in zip(verdict.statuses, verdict.reasons, strict=True)]
        confidence += verdict.confidence
        if spans[a:b] != out[a:b]:  # re-placed here: what is not spoken stays unplaced
            out[a:b] = [
                None if c == 0.0 else s for s, c in zip(out[a:b], verdict.confidence, strict=True)
            ]
    return report(script, outcomes, out), confidence, out


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


def _skipped(spans: Sequence[Span | None], firsts: list[int], k: int) -> bool:
    """Whether sentence ``k`` was left out of the recording: none of its words was found,
    while the sentence before it was found whole and the one after it (if any) in part. (After
    a sentence that lost words, the aligner may have misplaced the next one: that is checked
    together with it.)"""
    own = spans[firsts[k] : firsts[k + 1]]
    before = spans[firsts[k - 1] : firsts[k]] if k > 0 else []
    last = k + 2 == len(firsts)
    after = [] if last else spans[firsts[k + 1] : firsts[k + 2]]
    return (
        not any(s is not None for s in own)
        and all(s is not None for s in before)
        and (last or any(s is not None for s in after))
    )


def _shorten(text: str, most: int = 80) -> str:
    """``text`` quoted, cut to about ``most`` characters at a word."""
    if len(text) > most:
        text = text[:most].rsplit(" ", 1)[0] + " …"
    return f"'{text}'"


def _quote(tokens: Sequence[str]) -> str:
    return "'" + " ".join(tokens) + "'"
