"""A preview of the read: how a script will be spoken, word by word, before any synthesis
(``voxcap spoken "TEXT"``, :func:`voxcap.spoken`)."""

from __future__ import annotations

from dataclasses import dataclass

from voxcap.errors import UnsupportedLanguage
from voxcap.text.direction import PLAIN
from voxcap.text.language import check_language, name_of
from voxcap.text.script import prepare, reading
from voxcap.text.ssml import is_ssml, parse

# the languages voxcap's spoken form reads (docs/NORMALISATION.md)
LANGUAGES = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class Spoken:
    """One written word and what is said for it: ``spoken`` is empty for a word that is not
    said (a dash, an emoji); ``index`` is the word's place in the text, from 0."""

    written: str
    spoken: tuple[str, ...]
    index: int


def spoken(text: str, language: str | None = None) -> list[Spoken]:
    """How ``text`` (plain, or SSML) will be read: every written word, in order, with the
    spoken words that come from it (the exact map that captions and timings rest on). A word
    said by raw phonemes shows them between slashes.

    Raises:
        EmptyText, TextTooLong: nothing to say, or too much.
        InvalidInput: bad SSML.
        UnsupportedLanguage: ``language`` (ISO 639-1), or the text's writing system, is not one
            voxcap's spoken form reads.
    """
    if language is not None and language.lower() not in LANGUAGES:
        reads = ", ".join(f"{name_of(c)} ({c})" for c in sorted(LANGUAGES))
        raise UnsupportedLanguage(f"voxcap's spoken form reads {reads}, not {language!r} yet")
    direction = PLAIN
    if is_ssml(text):  # the markup's own reading (docs/DIRECTING.md)
        marked = parse(text, reading)
        text, direction = marked.text, marked.direction
    check_language(text, "voxcap's spoken form", LANGUAGES)
    script = prepare(text, direction=direction)
    said: list[list[str]] = [[] for _ in script.words]
    for sentence in script.sentences:
        for token in sentence.tokens:
            said[token.word].append(token.text)
    return [
        Spoken(word, tuple(words), index)
        for index, (word, words) in enumerate(zip(script.words, said, strict=True))
    ]
