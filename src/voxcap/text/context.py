"""What a reading rule sees: one written word, split into its punctuation and its core, with
its neighbours.

A *rule* takes a :class:`Context` and returns the spoken tokens for the word's core, or None
when it does not apply. Rules see the words around them (a day number after "July" is an
ordinal, "million" after "$3.5" says "million dollars"), but each returns tokens for its own
word only, so every spoken token keeps the index of the word it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# typographic quotes and dashes to their plain forms; the fraction slash to a slash
_PLAIN = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "⁄": "/",
        "−": "-",
        "。": ".",
        "、": ",",
    }
)
# leading punctuation / core / trailing punctuation (symbols that are spoken stay in the core)
_WORD_RE = re.compile(r"^([^\w$€£¥₹#&+@(%°]*)(.*?)([^\w%&+°)/]*)$")


@dataclass(frozen=True, slots=True)
class Piece:
    """A written word split into leading punctuation, the core that is read, and trailing
    punctuation (the pause it gives)."""

    lead: str
    core: str
    trail: str


def split(word: str) -> Piece:
    """Split a word into lead, core and trail ("(555)" keeps its brackets in the core)."""
    clean = unicodedata.normalize("NFKC", word).translate(_PLAIN)
    match = _WORD_RE.match(clean)
    assert match is not None  # the pattern matches every string
    lead, core, trail = match.groups()
    if core.startswith("(") and ")" not in core:
        lead, core = lead + "(", core[1:]
    if core.endswith(")") and "(" not in core:
        core, trail = core[:-1], ")" + trail
    if lead.endswith("-") and core[:1].isdigit():
        lead, core = lead[:-1], "-" + core  # a negative number: the sign is spoken
    if lead.endswith(".") and core[:1].isdigit():
        lead, core = lead[:-1], "." + core  # ".5"
    if not core:
        lead, trail = "", lead + trail  # only punctuation: "...", "--"
    return Piece(lead, core, trail)


Reader = Callable[["Context"], list[str]]


def _unread(ctx: Context) -> list[str]:
    return []


@dataclass(frozen=True, slots=True)
class Context:
    """One word to read (``pieces[index]``), its neighbours, whether the whole text is shouted
    (mostly capitals, so capitals are words, not initialisms), and the ``reader`` that reads a
    part of a word on its own (the rule table, :func:`voxcap.text.rules.read`: handed in, so
    that this module needs no rules)."""

    pieces: tuple[Piece, ...]
    index: int
    shouting: bool = False
    reader: Reader = _unread

    @property
    def core(self) -> str:
        return self.pieces[self.index].core

    @property
    def trail(self) -> str:
        return self.pieces[self.index].trail

    @property
    def lead(self) -> str:
        return self.pieces[self.index].lead

    def near(self, offset: int) -> str:
        """The core of the word ``offset`` places away ("" past either end)."""
        at = self.index + offset
        return self.pieces[at].core if 0 <= at < len(self.pieces) else ""

    def joined(self, offset: int) -> bool:
        """Whether the word ``offset`` places away is in the same phrase: no pause-giving
        punctuation between it and this word."""
        low, high = sorted((self.index, self.index + offset))
        if low < 0 or high >= len(self.pieces):
            return False
        between = [self.pieces[k].trail for k in range(low, high)]
        between += [self.pieces[k].lead for k in range(low + 1, high + 1)]
        return not any(c in ".!?;:" for part in between for c in part)

    def alone(self, core: str) -> Context:
        """A context for a part of this word read on its own (no neighbours)."""
        return Context((Piece("", core, ""),), 0, self.shouting, self.reader)


Rule = Callable[[Context], list[str] | None]

# words after an amount or a measure that leave it a quantity ("5 lb of rice", "$12 each",
# "costs $12 today"); another lower-case word makes it an adjective ("a 5 lb bag")
_NOT_NOUNS = frozenset(
    """a an the of and or but nor per each for to from in on at by with into onto over under
    about than more less off up down out back away ago later now then today tonight tomorrow
    yesterday this that these those my your his her its our their it me you him them us is are
    was were be been am so too very plus minus total only just every all left worth extra
    instead apiece""".split()
)


def modifies_next(ctx: Context, offset: int = 1) -> bool:
    """Whether the word ``offset`` places on is a noun this amount describes, in the same
    phrase ("a 5 lb bag", "the $12 rotisserie chicken"): a measure or a price used as an
    adjective takes the singular ("five pound bag", "twelve dollar chicken")."""
    word = ctx.near(offset)
    return (
        ctx.joined(offset)
        and word.isalpha()
        and word.islower()
        and word not in _NOT_NOUNS
        and not word.endswith("ly")
    )


def read_part(ctx: Context, core: str) -> list[str]:
    """The spoken tokens for ``core`` read on its own (a part of a compound)."""
    return ctx.reader(ctx.alone(core))
