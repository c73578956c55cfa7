"""Forced alignment with pocketsphinx 5 and the en-US model that ships in its wheel.

The audio is resampled to 16 kHz (the model's only rate) and padded with quiet noise so the
model's silence states can absorb the leading/trailing silence instead of the first/last word.
Words missing from the dictionary get a pronunciation from espeak-ng (:mod:`voxcap.aligners.g2p`).
When the search fails with the normal beams it is run once more with wide beams.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from voxcap.aligners.base import Check, Found
from voxcap.aligners.g2p import pronounce
from voxcap.audio import resample
from voxcap.domain import Audio
from voxcap.engines.base import Span
from voxcap.errors import AlignmentError
from voxcap.settings import Settings

log = logging.getLogger(__name__)

RATE = 16_000
FRAME = 0.01  # pocketsphinx frames are 10 ms
PAD = 0.3
WIDE_BEAMS = {"beam": 1e-120, "wbeam": 1e-100, "pbeam": 1e-120}
_FILLERS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"})
_BASE = re.compile(r"\(\d+\)$")  # "the(2)": the dictionary's second pronunciation of "the"
SKIP = 1e-3  # grammar probability of skipping a sentence of the text
SLIP = 1e-3  # ... of leaving out or repeating a word (:meth:`SphinxAligner.check`)
SLIP_PHONES = 3  # words of fewer sounds are never left out or repeated there (too short to tell)
# ... nor are these function words, which fluent speech reduces to a sound or two ("n" for "and")
REDUCED = frozenset(
    "and that than then them they there their these those this from with have has had were "
    "your you'll what when will would could should into onto upon about".split()
)
GARBAGE_PROB = 1e-4  # ... and of each garbage word
# Garbage: common short English words (as phones); a phone loop would fit any speech better,
# but single-phone words make pocketsphinx expand every context and run 50x slower.
GARBAGE = tuple(
    "DH AH|AH|AE N D|T UW|AH V|IH N|IH T|IH Z|DH AE T|F AO R|W IH TH|AA N|W AA Z|HH IY|SH IY|"
    "DH EY|W IY|Y UW|AY|B AH T|N AA T|HH AE D|HH AE Z|F R AH M|B AY|AE T|AO L|W ER|W IH CH|"
    "DH EH R|S OW|AH P|AW T|M AY|W AH N|TH R IY|G UH D|N UW|OW L D|L AO NG|L IH T AH L|D EY|"
    "T AY M|HH OW M|W ER K|K AH M|G OW|S IY|N OW|T EY K|M EY K|S EH D|W EH N T|K EY M|D IH D".split(
        "|"
    )
)


class SphinxAligner:
    """pocketsphinx forced aligner; one decoder per beam setting, reused under a lock."""

    name = "sphinx"
    languages: frozenset[str] | None = frozenset({"en"})  # its acoustic model is en-US

    def __init__(self, settings: Settings | None = None) -> None:
        self._decoders: dict[bool, Any] = {}
        self._lock = threading.Lock()

    def align(self, audio: Audio, tokens: list[str]) -> list[Span]:
        """See :class:`voxcap.aligners.Aligner`."""
        if not tokens:
            return []
        pcm = _pcm16k(audio)
        with self._lock:
            segments = self._forced(pcm, tokens)
        if segments is None:
            raise AlignmentError(
                f"could not align {len(tokens)} words to {audio.duration:.2f} s of audio; "
                "is this the text that is spoken?"
            )
        return _clamp([(start, end) for _, start, end, _ in segments], audio.duration)

    def place(
        self, audio: Audio, sentences: Sequence[Sequence[str]], garbage: bool = False
    ) -> Found:
        """See :class:`voxcap.aligners.Aligner`: a grammar of the text where each sentence may
        be skipped and the text may end after any word, garbage words before it.

        The search runs again with wide beams when it fails, or (without garbage) when it
        skipped a sentence and placed a later one: under noise or music the normal beams can
        lose the spoken sentence's path, and the skip is then all that is left."""
        tokens = [t for s in sentences for t in s]
        if not tokens:
            return Found([], [], [])
        pcm = _pcm16k(audio)
        found = Found([None] * len(tokens), [], [None] * len(tokens))
        with self._lock:
            for wide in (False, True):
                decoder = self._decoder(wide)
                self._know(decoder, tokens)
                decoder.add_fsg("window", _grammar(decoder, sentences, garbage))
                decoder.activate_search("window")
                segments = self._segments(decoder, pcm)
                if segments is not None:
                    found = _parse(segments, sentences, audio.duration)
                    # (garbage with wide beams is far too slow: the garbage search is final)
                    if garbage or not _skipped_inside(found, sentences):
                        break
        return found

    def check(self, audio: Audio, tokens: list[str]) -> Check:
        """The forced alignment of ``tokens`` with each one's fit, and what a free search of
        the same words hears: any word of :data:`SLIP_PHONES` sounds or more may be left out or
        said twice there (:mod:`voxcap.verify` judges the two). Each search runs again with
        wide beams when it fails or hears something else."""
        if not tokens:
            return Check([], [], [])
        pcm = _pcm16k(audio)
        heard: list[tuple[str, float, float, float]] | None = None
        with self._lock:
            forced = self._forced(pcm, tokens)
            for wide in (False, True):
                decoder = self._decoder(wide)
                self._know(decoder, tokens)  # the forced search may not have used this decoder
                decoder.add_fsg("check", _slips(decoder, tokens))
                decoder.activate_search("check")
                heard = self._segments(decoder, pcm)
                if heard is not None and [w for w, _, _, _ in heard] == tokens:
                    break
        words = None if heard is None else [w for w, _, _, _ in heard]
        fits = None if heard is None else [f for _, _, _, f in heard]
        if forced is None:
            return Check(None, None, words, fits)
        spans = _clamp([(start, end) for _, start, end, _ in forced], audio.duration)
        return Check(spans, [fit for _, _, _, fit in forced], words, fits)

    def _segments(self, decoder: Any, pcm: bytes) -> list[tuple[str, float, float, float]] | None:
        decoder.start_utt()
        decoder.process_raw(pcm, no_search=False, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        return [
            (
                _BASE.sub("", seg.word),
                seg.start_frame * FRAME - PAD,
                (seg.end_frame + 1) * FRAME - PAD,
                _fit(seg),
            )
            for seg in decoder.seg()
            if seg.word not in _FILLERS
        ]

    def _know(self, decoder: Any, tokens: list[str]) -> None:
        for token in dict.fromkeys(tokens):
            if decoder.lookup_word(token) is None:
                decoder.add_word(token, pronounce(token), True)
        if decoder.lookup_word(_garbage_word(0)) is None:
            for i, phones in enumerate(GARBAGE):
                decoder.add_word(_garbage_word(i), phones, True)

    def _forced(
        self, pcm: bytes, tokens: list[str]
    ) -> list[tuple[str, float, float, float]] | None:
        """The forced alignment's (word, start, end, fit) per token: with the normal beams,
        else with wide ones; None when both fail (call with the lock held)."""
        for wide in (False, True):
            decoder = self._decoder(wide)
            self._know(decoder, tokens)
            decoder.set_align_text(" ".join(tokens))
            segments = self._segments(decoder, pcm)
            if segments is not None and len(segments) == len(tokens):
                return segments
            log.info("alignment search failed%s", "" if wide else "; retrying with wide beams")
        return None

    def _decoder(self, wide: bool) -> Any:
        if wide not in self._decoders:
            from pocketsphinx import Decoder

            beams: dict[str, float] = WIDE_BEAMS if wide else {}
            self._decoders[wide] = Decoder(lm=None, loglevel="FATAL", **beams)
        return self._decoders[wide]


def _garbage_word(i: int) -> str:
    return f"+garbage{i}+"


def _grammar(decoder: Any, sentences: Sequence[Sequence[str]], garbage: bool) -> Any:
    """A chain of the text's words (states 0..n, then a final state) where each sentence can
    be skipped and the text can end after any word; with ``garbage``, a loop of common
    English words at the start soaks up speech that is not in the text."""
    tokens = [t for s in sentences for t in s]
    final = len(tokens) + 1
    transitions: list[tuple[int, ...] | tuple[int, int, float, str] | tuple[int, int, float]]
    transitions = [(i, i + 1, 1.0, token) for i, token in enumerate(tokens)]
    transitions += [(i, final, 1.0) for i in range(1, len(tokens) + 1)]
    start = 0
    for sentence in sentences:
        transitions.append((start, start + len(sentence), SKIP))
        start += len(sentence)
    if garbage:
        transitions += [(0, 0, GARBAGE_PROB, _garbage_word(i)) for i in range(len(GARBAGE))]
    return decoder.create_fsg("window", 0, final, transitions)


def _slips(decoder: Any, tokens: Sequence[str]) -> Any:
    """A chain of the words where each word of :data:`SLIP_PHONES` sounds or more (but those
    in :data:`REDUCED`) may be left out or said again."""
    long = [len(decoder.lookup_word(t).split()) >= SLIP_PHONES and t not in REDUCED for t in tokens]
    transitions: list[tuple[int, int, float, str] | tuple[int, int, float]]
    transitions = [(i, i + 1, 1.0, token) for i, token in enumerate(tokens)]
    transitions += [(i, i + 1, SLIP) for i in range(len(tokens)) if long[i]]
    transitions += [(i + 1, i + 1, SLIP, t) for i, t in enumerate(tokens) if long[i]]
    return decoder.create_fsg("check", 0, len(tokens), transitions)


def _parse(
    segments: list[tuple[str, float, float, float]],
    sentences: Sequence[Sequence[str]],
    duration: float,
) -> Found:
    """Which token each recognised word is: the grammar only skips whole sentences, so a
    sentence whose words do not come next was skipped."""
    garbage = [(s, e) for w, s, e, _ in segments if w.startswith("+garbage")]
    words = [seg for seg in segments if not seg[0].startswith("+garbage")]
    spans: list[Span | None] = []
    fits: list[float | None] = []
    at = 0
    for sentence in sentences:
        heard = [w for w, _, _, _ in words[at : at + len(sentence)]]
        if not heard or heard != list(sentence[: len(heard)]):
            spans.extend([None] * len(sentence))
            fits.extend([None] * len(sentence))
            continue
        spans.extend((s, e) for _, s, e, _ in words[at : at + len(heard)])
        fits.extend(f for _, _, _, f in words[at : at + len(heard)])
        spans.extend([None] * (len(sentence) - len(heard)))
        fits.extend([None] * (len(sentence) - len(heard)))
        at += len(heard)
    placed = [s for s in spans if s is not None]
    clamped = iter(_clamp(placed, duration))
    return Found(
        [None if s is None else next(clamped) for s in spans],
        _clamp([(max(s, 0.0), e) for s, e in garbage], duration),
        fits,
    )


def _fit(segment: Any) -> float:
    """How well a word's sounds fit the audio: the mean per 10 ms frame of the log of its
    acoustic score relative to the best-scoring sound of each frame (0: nothing fits better;
    about -1 for clear speech; much lower where the word is not what is said)."""
    frames = segment.end_frame - segment.start_frame + 1
    return float(math.log(max(segment.ascore, 1e-300)) / max(frames, 1))


def _skipped_inside(found: Found, sentences: Sequence[Sequence[str]]) -> bool:
    """Whether a sentence was skipped with a later one placed."""
    placed, at = [], 0
    for sentence in sentences:
        placed.append(any(s is not None for s in found.spans[at : at + len(sentence)]))
        at += len(sentence)
    last = max((i for i, p in enumerate(placed) if p), default=-1)
    return not all(placed[: last + 1])


def _pcm16k(audio: Audio) -> bytes:
    """16 kHz 16-bit PCM with PAD seconds of quiet noise on both ends (seeded: repeatable)."""
    samples = resample(audio, RATE).samples
    pad = np.zeros(round(PAD * RATE), dtype=np.float32)
    padded = np.concatenate([pad, samples, pad])
    padded += np.random.default_rng(0).normal(0.0, 1e-4, len(padded)).astype(np.float32)
    pcm: bytes = (np.clip(padded, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
    return pcm


def _clamp(spans: list[Span], duration: float) -> list[Span]:
    """Keep spans inside [0, duration] and monotonic."""
    out: list[Span] = []
    last = 0.0
    for start, end in spans:
        start = min(max(start, last), duration)
        end = min(max(end, start), duration)
        out.append((start, end))
        last = end
    return out
