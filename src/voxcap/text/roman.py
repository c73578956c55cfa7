"""Roman numerals in context: "Chapter IV" -> chapter four, "World War II" -> world war two,
"Henry VIII" -> henry the eighth. Only after a word that takes a number, or after a name for
regnal numbers up to 39 (so "Washington DC" and "Plan B" stay letters)."""

from __future__ import annotations

import re

from voxcap.text.context import Context
from voxcap.text.numbers import cardinal, ordinal

CLASS = "roman"

_ROMAN_RE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# words after which a Roman numeral is a plain number
COUNTED = {"chapter", "part", "volume", "vol.", "book", "act", "scene", "war", "phase"}
COUNTED |= {"episode", "season", "section", "article", "appendix", "class", "type", "level"}
COUNTED |= {"stage", "grade", "title", "series", "mark", "mk", "round", "bowl", "vatican"}
COUNTED |= {"apollo", "rocky", "psalm", "canto", "star", "track", "unit", "division", "ch."}
_NOT_NAMES = {"I", "The", "A", "An", "In", "On", "At", "And", "Of", "For", "To", "By", "With"}


def value(numeral: str) -> int | None:
    """The number a Roman numeral writes, or None."""
    if not numeral or not _ROMAN_RE.fullmatch(numeral):
        return None
    total = 0
    for k, c in enumerate(numeral):
        v = _VALUES[c]
        nxt = _VALUES[numeral[k + 1]] if k + 1 < len(numeral) else 0
        total += -v if v < nxt else v
    return total


def _roman(ctx: Context) -> list[str] | None:
    number = value(ctx.core)
    if number is None or not ctx.joined(-1):
        return None
    before = ctx.near(-1)
    if before.lower() in COUNTED:
        return cardinal(str(number))
    name = before[:1].isupper() and before[1:].islower() and before not in _NOT_NAMES
    if name and len(ctx.core) >= 2 and number <= 39:
        return ["the", *ordinal(str(number))]
    return None


RULES = (_roman,)
