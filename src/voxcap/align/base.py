"""The Aligner protocol: known words + audio in, one (start, end) per word out."""

from __future__ import annotations

from typing import Protocol

from voxcap.domain import Audio
from voxcap.engines.base import Span


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
