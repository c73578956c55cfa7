"""Forced alignment with pocketsphinx 5 and the en-US model that ships in its wheel.

The audio is resampled to 16 kHz (the model's only rate) and padded with quiet noise so the
model's silence states can absorb the leading/trailing silence instead of the first/last word.
Words missing from the dictionary get a pronunciation from espeak-ng (:mod:`voxcap.align.g2p`).
When the search fails with the normal beams it is run once more with wide beams.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from voxcap.align.g2p import pronounce
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
_FILLERS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]"})


class SphinxAligner:
    """pocketsphinx forced aligner; one decoder per beam setting, reused under a lock."""

    name = "sphinx"
    languages: frozenset[str] | None = frozenset({"en"})  # its acoustic model is en-US

    def __init__(self, settings: Settings | None = None) -> None:
        self._decoders: dict[bool, Any] = {}
        self._lock = threading.Lock()

    def align(self, audio: Audio, tokens: list[str]) -> list[Span]:
        """See :class:`voxcap.align.Aligner`."""
        if not tokens:
            return []
        pcm = _pcm16k(audio)
        with self._lock:
            for wide in (False, True):
                segments = self._run(pcm, tokens, wide)
                if segments is not None:
                    break
                log.info("alignment search failed; retrying with wide beams")
            else:
                raise AlignmentError(
                    f"could not align {len(tokens)} words to {audio.duration:.2f} s of audio; "
                    "is this the text that is spoken?"
                )
        return _clamp(segments, audio.duration)

    def _run(self, pcm: bytes, tokens: list[str], wide: bool) -> list[Span] | None:
        decoder = self._decoder(wide)
        for token in dict.fromkeys(tokens):
            if decoder.lookup_word(token) is None:
                decoder.add_word(token, pronounce(token), True)
        decoder.set_align_text(" ".join(tokens))
        decoder.start_utt()
        decoder.process_raw(pcm, no_search=False, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        spans = [
            (seg.start_frame * FRAME - PAD, (seg.end_frame + 1) * FRAME - PAD)
            for seg in decoder.seg()
            if seg.word not in _FILLERS
        ]
        return spans if len(spans) == len(tokens) else None

    def _decoder(self, wide: bool) -> Any:
        if wide not in self._decoders:
            from pocketsphinx import Decoder

            beams: dict[str, float] = WIDE_BEAMS if wide else {}
            self._decoders[wide] = Decoder(lm=None, loglevel="FATAL", **beams)
        return self._decoders[wide]


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
