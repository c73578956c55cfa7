"""Long-form alignment: a recording of any length, in linear time, without losing the thread.

One search over a whole long recording costs more than linearly and fails on long continuous
speech. Here the recording is walked in windows of :data:`WINDOW` seconds. In each window the
aligner places as much of the text as the window holds (:meth:`voxcap.aligners.Aligner.place`:
the end is free, whole sentences may be skipped); the words that end more than :data:`KEEP`
seconds before the window's end are kept, and the next window starts where the last kept word
ends. The cost is one short search per window, so it grows linearly with the length, and no
search sees more than a window of audio (memory stays bounded).

Real recordings do not match their text exactly:

- a sentence in the text that is not spoken is skipped by the aligner (its words are reported
  as not placed);
- speech that is not in the text (an aside, a restart) makes the aligner put the next
  sentence over it, where it fits the sounds badly. Every word comes with a fit
  (:attr:`Found.fits`); a sentence that fits :data:`MISFIT` worse than the recording's typical
  sentence is that sign. Text is kept up to it, and the search from there runs again with a
  garbage model (any speech) allowed before the text; what the garbage covers is reported as
  audio with no text. When the garbage does not help, a single bad sentence is kept (a noisy
  stretch); when the sentences after it fit badly too, :data:`STEP` seconds of audio are
  passed over and reported, and the search resumes there;
- speech the aligner passed over as a long pause between two placed words is reported too.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from voxcap.aligners.base import Aligner, Found
from voxcap.domain import Audio
from voxcap.engines.base import Span

log = logging.getLogger(__name__)

WINDOW = 30.0  # seconds of audio per search
KEEP = 8.0  # words ending this close to a window's end are placed again by the next window
STEP = 2.0  # seconds passed over when the text fits nowhere at a window's start
GARBAGE_WINDOW = 14.0  # seconds of audio per search with the garbage model (it costs more)
MISFIT = 2.5  # a sentence whose fit is this much below the recording's typical fit is suspect
MARGIN = 2.0  # a window is given this many times the text its length is expected to hold
GAP = 1.0  # a gap between two placed words longer than this may hold speech with no text
MIN_UNMATCHED = 0.5  # shorter stretches of audio with no text are not reported


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the tokens were found: one span per token, None for a token that could not be
    placed; and the stretches of audio where speech with no text was found."""

    spans: tuple[Span | None, ...]
    unmatched: tuple[Span, ...]


def align_long(
    aligner: Aligner,
    audio: Audio,
    sentences: Sequence[Sequence[str]],
    progress: Callable[[float], None] | None = None,
) -> Placement:
    """Place the tokens of ``sentences`` (token texts, sentence by sentence) in ``audio``."""
    tokens = [t for s in sentences for t in s]
    ends: list[int] = []  # index after each sentence's last token
    for sentence in sentences:
        ends.append((ends[-1] if ends else 0) + len(sentence))
    walk = _Walk(aligner, audio, tokens, ends)
    while walk.next_token < len(tokens) and walk.t0 < audio.duration - 0.05:
        walk.step()
        if progress:
            progress(min(walk.t0 / audio.duration, 1.0) if audio.duration else 1.0)
    unmatched = walk.unmatched + _speech_between(audio, walk.spans)
    return Placement(tuple(walk.spans), tuple(_merged(unmatched)))


class _Walk:
    """The state of a walk through the recording: the next audio time and token to place."""

    def __init__(self, aligner: Aligner, audio: Audio, tokens: list[str], ends: list[int]):
        self.aligner, self.audio, self.tokens, self.ends = aligner, audio, tokens, ends
        self.spans: list[Span | None] = [None] * len(tokens)
        self.unmatched: list[Span] = []
        self.sentence_fits: list[float] = []
        self.t0 = 0.0
        self.next_token = 0
        chars = sum(len(t) + 1 for t in tokens)
        self.rate = chars / audio.duration if audio.duration else 15.0  # characters per second

    def step(self) -> None:
        """Search one window and keep what it placed for sure."""
        end = min(self.t0 + WINDOW, self.audio.duration)
        final = end >= self.audio.duration - 0.05
        sentences = self._sentences(end - self.t0, final)
        found = self._place(end, sentences, garbage=False)
        kept, cut = self._kept(sentences, found, end, final)
        skip = self.t0 + STEP
        if kept == 0 and cut:
            # The first sentence does not fit: speech that is not in the text may come first.
            log.info("speech with no text near %.1f s? searching again", self.t0)
            short = min(self.t0 + GARBAGE_WINDOW, self.audio.duration)  # the slower search
            again = self._place(short, sentences, garbage=True)
            kept_again, _ = self._kept(sentences, again, short, short >= end)
            if kept_again:
                found, kept = again, kept_again
            elif cut == "one":  # only this sentence fits badly: a noisy stretch; keep it
                kept, _ = self._kept(sentences, found, end, final, strict=False)
            elif again.garbage:  # the garbage took the start: pass over what it took
                skip = max(skip, again.garbage[-1][1] - 1.0)
        log.debug("window %.1f-%.1f from token %d: %d kept", self.t0, end, self.next_token, kept)
        if kept == 0:
            # No fit: pass over some of the audio (all of a window where nothing of the text
            # was found) and try again from there.
            if not any(s is not None for s in found.spans):
                skip = end if final else end - KEEP
            skip_to = min(max(skip, self.t0 + STEP), self.audio.duration)
            self.unmatched.append((self.t0, skip_to))
            self.t0 = skip_to
            return
        self._keep(found, kept, final)

    def _keep(self, found: Found, kept: int, final: bool) -> None:
        last = self.next_token + kept - 1
        for i in range(kept):
            self.spans[self.next_token + i] = found.spans[i]
        span = self.spans[last]
        assert span is not None
        self.unmatched.extend(g for g in found.garbage if g[1] <= span[1])
        self.t0 = span[1]
        self.next_token = last + 1
        placed = [i for i, s in enumerate(found.spans) if s is not None]
        if final and kept == placed[-1] + 1:
            self.t0 = self.audio.duration  # all that the text has here is placed

    def _sentences(self, seconds: float, final: bool) -> list[list[str]]:
        """The text from the next token on that this much audio can be expected to hold
        (with a margin; the final window gets all that is left)."""
        budget = seconds * self.rate * MARGIN + 40
        out: list[list[str]] = []
        start, chars = self.next_token, 0
        for end in self.ends:
            if end <= start:
                continue
            out.append(self.tokens[start:end])
            chars += sum(len(t) + 1 for t in out[-1])
            start = end
            if chars > budget and not final:
                break
        return out

    def _place(self, end: float, sentences: list[list[str]], garbage: bool) -> Found:
        rate = self.audio.sample_rate
        piece = Audio(self.audio.samples[round(self.t0 * rate) : round(end * rate)], rate)
        found = self.aligner.place(piece, sentences, garbage=garbage)

        def moved(span: Span) -> Span:  # into the recording's time, never past its end
            return (min(span[0] + self.t0, end), min(span[1] + self.t0, end))

        return Found(
            [None if s is None else moved(s) for s in found.spans],
            [moved(g) for g in found.garbage],
            found.fits,
        )

    def _kept(
        self,
        sentences: list[list[str]],
        found: Found,
        end: float,
        final: bool,
        strict: bool = True,
    ) -> tuple[int, str | None]:
        """How many of the found tokens to keep: up to the last placed token that ends before
        the window's last KEEP seconds (all of them in the final window), and (``strict``)
        before the first sentence that fits the audio far worse than the sentences so far.
        Also says whether it stopped at such a sentence: ``"one"`` when the next placed
        sentence fits well again (a noisy stretch, or a sentence put over speech that is not
        in the text), ``"more"`` when it does not (the text and the audio have come apart)."""
        fits: list[float | None] = []
        at = 0
        for sentence in sentences:
            mine = [f for f in found.fits[at : at + len(sentence)] if f is not None]
            fits.append(statistics.fmean(mine) if mine else None)
            at += len(sentence)
        typical = self._baseline(found)
        misfit = [f is not None and f < typical - MISFIT for f in fits]
        kept, at = 0, 0
        good: list[float] = []
        cut: str | None = None
        for n, sentence in enumerate(sentences):
            if strict and misfit[n]:
                after = [
                    m for m, f in zip(misfit[n + 1 :], fits[n + 1 :], strict=True) if f is not None
                ]
                cut = "more" if not after or after[0] else "one"
                log.debug("sentence fit %.2f, typical %.2f (%s)", fits[n], typical, cut)
                break
            spans = found.spans[at : at + len(sentence)]
            placed = [s for s in spans if s is not None]
            if placed and not final and placed[-1][1] > end - KEEP:
                for i, span in enumerate(spans):
                    if span is not None and span[1] <= end - KEEP:
                        kept = at + i + 1
                break
            if placed:
                kept = at + max(i for i, s in enumerate(spans) if s is not None) + 1
                fit = fits[n]
                if fit is not None:
                    good.append(fit)
            at += len(sentence)
        self.sentence_fits.extend(good)
        return kept, cut

    def _baseline(self, found: Found) -> float:
        """The typical fit of a sentence in this recording: the median of the sentences kept
        so far (the first window's median until there are some)."""
        fits = self.sentence_fits[-50:] or [f for f in found.fits if f is not None]
        return statistics.median(fits) if fits else 0.0


def _speech_between(audio: Audio, spans: Sequence[Span | None]) -> list[Span]:
    """Gaps of more than GAP seconds between placed words that hold at least MIN_UNMATCHED
    seconds of sound within 20 dB of the recording's speech level: speech the aligner passed
    over as noise (the words around it were placed)."""
    frame = round(audio.sample_rate * 0.03)
    count = len(audio.samples) // frame
    if count == 0:
        return []
    rms = np.sqrt(np.mean(audio.samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    loud = rms > 0.1 * float(np.percentile(rms, 75))
    placed = [s for s in spans if s is not None]
    out: list[Span] = []
    for (_, end), (start, _) in itertools.pairwise(placed):
        if start - end > GAP:
            inside = loud[int(end / 0.03) + 1 : int(start / 0.03)]
            if inside.sum() * 0.03 >= MIN_UNMATCHED:
                out.append((end, start))
    return out


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 0.05:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return [(round(s, 3), round(e, 3)) for s, e in out if e - s >= MIN_UNMATCHED]
