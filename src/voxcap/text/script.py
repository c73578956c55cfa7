"""The user's text prepared for speech: words, the spoken tokens of each, and sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from voxcap.errors import EmptyText, TextTooLong
from voxcap.text import abbreviations
from voxcap.text.context import Context, Piece, split
from voxcap.text.dates import ZONES
from voxcap.text.emoji import is_emoji
from voxcap.text.rules import read


@dataclass(frozen=True, slots=True)
class Token:
    """One spoken word. ``punct`` is the pause punctuation that follows it in speech."""

    text: str
    word: int
    punct: str = ""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A chunk of tokens an engine synthesizes in one go."""

    tokens: tuple[Token, ...]

    @property
    def speech(self) -> str:
        """The text handed to an engine: tokens with their punctuation."""
        return " ".join(t.text + t.punct for t in self.tokens)


@dataclass(frozen=True, slots=True)
class Script:
    """The user's text prepared for speech, with the map from tokens back to words."""

    text: str
    words: tuple[str, ...]
    sentences: tuple[Sentence, ...]

    @property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(t for s in self.sentences for t in s.tokens)


def words_of(text: str) -> tuple[str, ...]:
    """The user's words: whitespace-separated tokens exactly as written."""
    return tuple(text.split())


def prepare(text: str, *, max_chars: int = 20_000, max_tokens: int = 60) -> Script:
    """Prepare ``text`` for speech.

    Raises:
        EmptyText: the text has no speakable words.
        TextTooLong: the text is longer than ``max_chars`` characters.
    """
    if len(text) > max_chars:
        raise TextTooLong(f"text is {len(text)} characters; the limit is {max_chars}")
    words = words_of(text)
    pieces = pieces_of(words)
    shouting = _is_shouting(words)
    tokens: list[Token] = []
    ends: set[int] = set()
    for i in range(len(words)):
        ctx = Context(pieces, i, shouting, read)
        spoken = [t.lower() for t in read(ctx)]
        punct = _pause(pieces, i)
        if punct in {".", "?", "!"}:
            ends.add(i)
        if not spoken:
            # A word with nothing to say ("-", an emoji) still gives its pause to the speech.
            if tokens and punct and not tokens[-1].punct:
                tokens[-1] = Token(tokens[-1].text, tokens[-1].word, punct)
            continue
        tokens.extend(Token(t, i) for t in spoken[:-1])
        tokens.append(Token(spoken[-1], i, punct))
    if not tokens:
        raise EmptyText("the text has no words to speak")
    return Script(text, words, _split(tokens, ends, max_tokens))


def pieces_of(words: Sequence[str]) -> tuple[Piece, ...]:
    """Every word split into lead, core and trail; an abbreviation keeps its dot."""
    pieces = []
    for word in words:
        piece = split(word)
        if piece.trail.startswith(".") and abbreviations.is_abbreviation(piece.core, True):
            piece = Piece(piece.lead, piece.core + ".", piece.trail[1:])
        pieces.append(piece)
    return tuple(pieces)


def sentence_ends(words: Sequence[str]) -> frozenset[int]:
    """Indexes of the words that end a sentence ("Dr." and "a.m. on" do not; "etc. Then" does).
    Emoji after a sentence's last word belong to it: "Stop scrolling! 🔥 I" ends at the 🔥."""
    pieces = pieces_of(words)
    ends = set()
    for i in range(len(words)):
        if _pause(pieces, i) in {".", "?", "!"}:
            while i + 1 < len(words) and is_emoji(words[i + 1]):
                i += 1
            ends.add(i)
    return frozenset(ends)


def _pause(pieces: tuple[Piece, ...], i: int) -> str:
    """The pause punctuation after word ``i``. The dot of an abbreviation ends a sentence only
    where the next word starts one ("etc. Then"), never after a title ("Gen. Patton")."""
    piece = pieces[i]
    mark = _mark(piece.trail)
    following = pieces[i + 1] if i + 1 < len(pieces) else None
    dotted = piece.trail == "." or (piece.core.endswith(".") and not piece.trail)
    if dotted and following is not None and _INITIALS.fullmatch(piece.core.removesuffix(".")):
        return "" if _initial(piece, following) else "."  # "J. K. Rowling", "the U.K. It"
    if mark or not piece.core.endswith("."):
        return mark
    if not abbreviations.is_abbreviation(piece.core, True):
        return ""
    if abbreviations.key(piece.core) in abbreviations.TITLES:
        return "." if i + 1 == len(pieces) else ""
    if following is not None and following.core in ZONES:
        return ""  # "3 p.m. EST"
    ends = following is None or (following.lead + following.core)[:1].isupper()
    return "." if ends else ""


def _initial(piece: Piece, following: Piece | None) -> bool:
    """Capital initials with a dot before a name ("J. K. Rowling", "J.P. Morgan") or before a
    lower-case word ("the E.U. cut rates"), not letters that end a sentence ("Plan B. It
    worked.", "from the U.K. It rained.")."""
    core = piece.core.removesuffix(".")
    if following is None or following.lead or not _INITIALS.fullmatch(core):
        return False
    first = following.core[:1]
    if first.islower():
        return "." in core  # "E.U. cut"; a single letter may end one ("plan b. then")
    return first.isupper() and following.core.lower() not in _STARTERS


_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")


def is_initials(word: str) -> bool:
    """Whether ``word`` is capital initials with their dots: "J.", "J.P.", "E.U."."""
    return word.endswith(".") and bool(_INITIALS.fullmatch(word[:-1]))


# words that start sentences and are never names
_STARTERS = {"the", "a", "an", "it", "its", "this", "that", "these", "those", "i", "we", "you"}
_STARTERS |= {"he", "she", "they", "there", "then", "but", "and", "so", "in", "on", "at", "if"}
_STARTERS |= {"when", "my", "our", "his", "her", "their", "what", "why", "how", "now", "not"}


def _mark(trail: str) -> str:
    for mark in ("?", "!", "."):
        if mark in trail or (mark == "." and "…" in trail):
            return mark
    for mark in (";", ":", ","):
        if mark in trail:
            return mark
    return ""


def _split(tokens: list[Token], ends: set[int], max_tokens: int) -> tuple[Sentence, ...]:
    """Cut tokens into sentences at sentence ends, and overlong ones at clause punctuation."""
    sentences: list[Sentence] = []
    current: list[Token] = []
    for k, tok in enumerate(tokens):
        current.append(tok)
        last_of_word = k + 1 == len(tokens) or tokens[k + 1].word != tok.word
        at_end = last_of_word and tok.word in ends
        too_long = len(current) >= max_tokens and (tok.punct or len(current) >= 2 * max_tokens)
        # a word that alone is too long (a 5,000-digit number) is cut too, into engine- and
        # aligner-sized pieces
        one_word = current[0].word == tok.word and len(current) >= max_tokens
        if at_end or (too_long and last_of_word) or one_word:
            sentences.append(Sentence(tuple(current)))
            current = []
    if current:
        sentences.append(Sentence(tuple(current)))
    return tuple(sentences)


def _is_shouting(words: tuple[str, ...]) -> bool:
    alpha = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    caps = [w for w in alpha if w.upper() == w]
    return len(alpha) >= 4 and len(caps) >= 0.6 * len(alpha)
