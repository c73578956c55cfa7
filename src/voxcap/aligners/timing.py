"""Word times from token times: the user's words, timed by the spoken tokens they became.

Alignment arithmetic shared by the pipeline and the reference-clip preparation (it sits below
both, so neither imports the other).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from voxcap.domain import Word
from voxcap.engines.base import Span
from voxcap.text import Script

__all__ = ["unplaced_words", "word_times"]


def word_times(script: Script, spans: Sequence[Span | None], duration: float) -> tuple[Word, ...]:
    """Times of the user's words from the times of their spoken tokens.

    A word spans its first token's start to its last token's end. A word with nothing to say
    ("-", an emoji) or whose tokens were not placed (None) gets a zero-length time where the
    speech around it meets. Times are clamped into [0, duration] and made monotonic.
    """
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for token, span in zip(script.tokens, spans, strict=True):
        if span is None:
            continue
        first.setdefault(token.word, span[0])
        last[token.word] = span[1]
    words: list[Word] = []
    cursor = 0.0
    limit = math.floor(duration * 1000) / 1000  # rounding to ms must not pass the end
    for i, text in enumerate(script.words):
        if i in first:
            start = min(round(max(first[i], cursor), 3), limit)
            end = min(round(max(last[i], start), 3), limit)
        else:
            start = end = cursor
        words.append(Word(text, start, end))
        cursor = end
    return tuple(words)


def unplaced_words(script: Script, spans: Sequence[Span | None]) -> tuple[int, ...]:
    """The words (indices in ``script.words``) none of whose spoken tokens were placed."""
    placed = {t.word for t, span in zip(script.tokens, spans, strict=True) if span is not None}
    return tuple(sorted({t.word for t in script.tokens} - placed))
