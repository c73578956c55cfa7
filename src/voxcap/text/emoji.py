"""Emoji as words: a whitespace-separated token made only of emoji ("🔥", "👍🏽", "🇺🇸",
"👨‍👩‍👧") is said as nothing, belongs to the sentence before it and takes no room in a cue's
limits; the video draws it in colour (:mod:`voxcap.captions.emoji`)."""

from __future__ import annotations

import unicodedata

_JOINERS = frozenset("\u200d\ufe0f\ufe0e\u20e3")  # zero-width joiner, variation selectors, keycap


def is_emoji(word: str) -> bool:
    """Whether ``word`` is emoji only (pictographs with their joiners, skin tones, flags)."""
    pictographs = 0
    for char in word:
        if char in _JOINERS or 0x1F3FB <= ord(char) <= 0x1F3FF:  # skin tones
            continue
        if unicodedata.category(char) != "So":
            return False
        pictographs += 1
    return pictographs > 0
