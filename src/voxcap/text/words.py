"""Plain words, symbols and compounds: what is left after the other classes ("well-known",
"AT&T", "rock'n'roll", "&", "+"). A compound is cut at joiners and each part read on its own."""

from __future__ import annotations

import re

from voxcap.text.acronyms import letters
from voxcap.text.context import Context, read_part

CLASS = "words"

SYMBOLS = {
    "&": "and",
    "+": "plus",
    "@": "at",
    "=": "equals",
    "%": "percent",
    "#": "number",
    "°": "degrees",
    "×": "times",
    "/": "slash",
}
_PARTS_RE = re.compile(r"\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|s)?|[^\W\d_]+(?:'[^\W\d_]+)*|[&+@=%#°×]")


def _symbol(ctx: Context) -> list[str] | None:
    return [SYMBOLS[ctx.core]] if ctx.core in SYMBOLS else None


def _number_sign(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"#(\d+)", ctx.core)
    return ["number", *read_part(ctx, m[1])] if m else None


def _plain(ctx: Context) -> list[str] | None:
    return [ctx.core.lower()] if re.fullmatch(r"[A-Za-z]+(?:'[A-Za-z]+)*", ctx.core) else None


def _compound(ctx: Context) -> list[str] | None:
    parts = _PARTS_RE.findall(ctx.core)
    if parts == [ctx.core]:
        # letters of another script, one word ("Привет"), or a name with accents ("café")
        return [ctx.core.lower()] if ctx.core.isalpha() else None
    initials = bool(re.fullmatch(r"[A-Z]+(?:&[A-Z]+)+", ctx.core))  # "AT&T", "R&D"
    out: list[str] = []
    for part in parts:
        if part in SYMBOLS:
            out.append(SYMBOLS[part])
        elif part.isascii() and part.isalpha() and (len(part) == 1 or initials):
            out.extend(letters(part))
        else:
            out.extend(read_part(ctx, part))
    return out


RULES = (_symbol, _number_sign, _plain, _compound)
