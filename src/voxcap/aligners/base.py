"""The Aligner protocol: known words + audio in, one (start, end) per word out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from voxcap.domain import Audio
from voxcap.engines.base import Span


@dataclass(frozen=True, slots=True)
class Found:
    """What :meth:`Aligner.place` found: one span per token (None: not placed: its sentence
    was skipped, or the audio ended first), and the stretches of audio that the garbage model
    matched (speech that is not in the text), in seconds from the start of the audio."""

    spans: list[Span | None]
    garbage: list[Span]
    fits: list[float | None]  # per token: how well it fits the audio (higher is better)


@dataclass(frozen=True, slots=True)
class Check:
    """What :meth:`voxcap.aligners.sphinx.SphinxAligner.check` found in a take of some text: the
    forced alignment of its tokens (None where the words could not all be placed: missing or
    cut short) with each token's fit (higher is better), and the tokens a free search heard,
    where any word may be left out or said twice (None: the search found nothing)."""

    spans: list[Span] | None
    fits: list[float] | None
    heard: list[str] | None
    heard_fits: list[float] | None = None  # the fit of each token heard


class Aligner(Protocol):
    """A forced aligner for text that is known to be spoken in the audio."""

    name: str
    languages: frozenset[str] | None  # language codes it reads (voxcap.text.language); None: any

    def align(self, audio: Audio, tokens: list[str]) -> list[Span]:
        """Place every token in the audio.

        Args:
            audio: speech at any sample rate; the aligner resamples as it needs.
            tokens: the spoken words, in order (lower case, as from ``voxcap.text``).

        Returns:
            One (start, end) in seconds per token, in order, monotonic, inside the audio.

        Raises:
            AlignmentError: the words could not be placed in the audio.
        """
        ...

    def place(
        self, audio: Audio, sentences: Sequence[Sequence[str]], garbage: bool = False
    ) -> Found:
        """Place as much of the text as the audio holds: a window of a longer recording
        (:mod:`voxcap.aligners.longform`).

        The text may run on past the audio's end (the end is free), and whole sentences of
        it may be missing from the audio (they are skipped). With ``garbage``, speech that is
        not in the text may come before the first sentence that is placed.

        Args:
            audio: the window, at any sample rate.
            sentences: the token texts of the text's next sentences, in order (the first may
                be the rest of a sentence).

        Returns:
            The spans of the tokens in order (monotonic, inside the audio), None for the
            tokens it did not place.
        """
        ...
