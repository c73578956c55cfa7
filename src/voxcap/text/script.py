"""The user's text prepared for speech: words, the spoken tokens of each, and sentences."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from voxcap.errors import EmptyText, InvalidInput, TextTooLong
from voxcap.text import abbreviations
from voxcap.text.context import Context, Piece, split
from voxcap.text.dates import ZONES
from voxcap.text.direction import PLAIN, Direction, ipa_of, ipa_token
from voxcap.text.emoji import is_emoji
from voxcap.text.rules import read

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Token:
    """One spoken word. ``punct`` is the pause punctuation that follows it in speech."""

    text: str
    word: int
    punct: str = ""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A chunk of tokens an engine synthesizes in one go. A directed read
    (:mod:`voxcap.text.direction`) may give it ``pause`` (seconds of silence after it, instead
    of the usual pause), a ``rate`` (times the request's speed) and a ``speaker``."""

    tokens: tuple[Token, ...]
    pause: float | None = None
    rate: float = 1.0
    speaker: str | None = None

    @property
    def speech(self) -> str:
        """The text handed to an engine: tokens with their punctuation; raw phonemes as Piper
        and espeak-ng take them (``[[ ... ]]``)."""
        return " ".join(engine_text(t.text) + t.punct for t in self.tokens)


def engine_text(token: str) -> str:
    """A token as an engine is handed it: raw phonemes (an IPA token) as ``[[ ... ]]``."""
    ipa = ipa_of(token)
    return token if ipa is None else f"[[ {ipa} ]]"


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


def prepare(
    text: str,
    *,
    max_chars: int = 20_000,
    max_tokens: int = 60,
    direction: Direction = PLAIN,
    phonemes: bool = True,
) -> Script:
    """Prepare ``text`` for speech, as ``direction`` says where it says anything.
    ``phonemes``: whether the engine takes raw phonemes; where it does not, a word directed
    by IPA is said by its alias.

    Raises:
        EmptyText: the text has no speakable words.
        TextTooLong: the text is longer than ``max_chars`` characters.
        InvalidInput: a word directed by IPA alone, for an engine that takes no phonemes.
    """
    if len(text) > max_chars:
        raise TextTooLong(f"text is {len(text)} characters; the limit is {max_chars}")
    words = words_of(text)
    pieces = pieces_of(words)
    shouting = _is_shouting(words)
    said = _said(direction, words, phonemes)
    tokens: list[Token] = []
    ends: set[int] = set(direction.ends) | set(direction.pauses)
    ends |= _changes(direction, len(words))
    for i in range(len(words)):
        ctx = Context(pieces, i, shouting, read)
        spoken = said[i] if i in said else [t.lower() for t in read(ctx)]
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
    sentences = _split(tokens, ends, max_tokens)
    if not direction.plain:
        sentences = _directed(sentences, direction, len(words))
    return Script(text, words, sentences)


def reading(text: str) -> list[str]:
    """The spoken tokens of a plain ``text`` ("" for none): how an alias is said."""
    try:
        return [t.text for t in prepare(text).tokens]
    except EmptyText:
        return []


def _said(direction: Direction, words: tuple[str, ...], phonemes: bool) -> dict[int, list[str]]:
    """The tokens of every word the direction says otherwise (the words a span covers say
    nothing)."""
    said: dict[int, list[str]] = {}
    for i, say in sorted(direction.say.items()):
        if i >= len(words):
            continue
        if say.ipa is not None and phonemes:
            tokens = [ipa_token(say.ipa)]
        elif say.ipa is not None and not say.tokens:
            raise InvalidInput(
                f"{say.source or repr(words[i])}: this engine takes no phonemes and the "
                f"pronunciation of {words[i]!r} has no alias to say instead"
            )
        else:
            if say.ipa is not None:
                log.warning(
                    "%s: this engine takes no phonemes; %r is said by its alias %r",
                    say.source or "lexicon",
                    words[i],
                    " ".join(say.tokens),
                )
            tokens = [t.lower() for t in say.tokens]
        said[i] = tokens
        for k in range(1, say.span):
            said.setdefault(i + k, [])
    return said


def _changes(direction: Direction, n: int) -> set[int]:
    """Words after which the rate or the speaker changes: a new sentence starts there."""
    out = set()
    for i in range(n - 1):
        if direction.rates.get(i, 1.0) != direction.rates.get(i + 1, 1.0):
            out.add(i)
        if direction.speakers and direction.speakers[i] != direction.speakers[i + 1]:
            out.add(i)
    return out


def _directed(
    sentences: tuple[Sentence, ...], direction: Direction, n: int
) -> tuple[Sentence, ...]:
    """Each sentence with its speaker, its rate, and the longest pause asked for after any
    word from its last one to the next sentence's first."""
    out = []
    for k, sentence in enumerate(sentences):
        first, last = sentence.tokens[0].word, sentence.tokens[-1].word
        following = sentences[k + 1].tokens[0].word if k + 1 < len(sentences) else n
        pauses = [direction.pauses[w] for w in range(last, following) if w in direction.pauses]
        speaker = direction.speakers[first] if direction.speakers else None
        rate = direction.rates.get(first, 1.0)
        out.append(replace(sentence, pause=max(pauses, default=None), rate=rate, speaker=speaker))
    return tuple(out)


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
