"""The one table of reading rules, in the order they are tried: the first rule that applies to
a word reads it. Each class of token lives in its own module with its own rules."""

from __future__ import annotations

from voxcap.text import (
    abbreviations,
    acronyms,
    dates,
    electronic,
    measures,
    money,
    numbers,
    roman,
    words,
)
from voxcap.text.context import Context, Rule

# money and dates first (they read numbers by their neighbours), then addresses and serials,
# measures before plain numbers, and plain words last
CLASSES = (money, dates, electronic, measures, numbers, roman, abbreviations, acronyms, words)
RULES: tuple[tuple[str, Rule], ...] = tuple(
    (module.CLASS, rule) for module in CLASSES for rule in module.RULES
)


def read(ctx: Context) -> list[str]:
    """The spoken tokens for ``ctx``'s word: the first rule of the table that applies."""
    if not ctx.core:
        return []
    for _, rule in RULES:
        said = rule(ctx)
        if said is not None:
            return said
    return []
