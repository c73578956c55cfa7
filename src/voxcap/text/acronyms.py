"""Acronyms and letters: initialisms spelled (FBI, NBA, U.S.A., Ph.D.), acronyms and shouted words
read as words (NASA, WAIT), letter-digit serials (B2B, A4, MP3, 5G).

Whether capitals are spelled or said is looked up in a pronunciation lexicon: the CMU
dictionary that ships with pocketsphinx (134,000 words). A word whose pronunciation there is
its letters ("fbi  EH F B IY AY") is spelled; one with a word pronunciation ("nasa  N AE S AH",
"wait  W EY T") is said. A word with both ("us", "ai", "am", "id") is spelled unless the whole
text is shouted. Words missing from the lexicon are spelled when they are short (up to four
letters) or have no vowel, and said otherwise.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from voxcap.text.context import Context

CLASS = "acronyms"

LETTERS = {
    "a": "ay",
    "b": "bee",
    "c": "see",
    "d": "dee",
    "e": "ee",
    "f": "eff",
    "g": "gee",
    "h": "aitch",
    "i": "eye",
    "j": "jay",
    "k": "kay",
    "l": "el",
    "m": "em",
    "n": "en",
    "o": "oh",
    "p": "pee",
    "q": "cue",
    "r": "ar",
    "s": "ess",
    "t": "tee",
    "u": "you",
    "v": "vee",
    "w": "double you",
    "x": "ex",
    "y": "why",
    "z": "zee",
}
# acronyms said as words that the lexicon lacks
WORD_ACRONYMS = {"COVID", "UNICEF", "GIF", "JPEG", "LOL", "FOMO", "YOLO", "GOAT", "SWAT"}
WORD_ACRONYMS |= {"NAFTA", "OPEC", "FIFA", "NATO", "NASA", "UNESCO", "IKEA", "SCUBA", "LASER"}
WORD_ACRONYMS |= {"RADAR", "AIDS", "PIN", "SIM", "ZIP", "OK"}
SPELLED = {"OK": ["okay"]}


def letters(text: str) -> list[str]:
    """Each letter and digit of ``text`` said on its own ("FBI" -> eff bee eye)."""
    from voxcap.text.numbers import DIGITS

    out: list[str] = []
    for c in text.lower():
        if c in LETTERS:
            out.extend(LETTERS[c].split())
        elif c.isdigit():
            out.append(DIGITS[int(c)])
    return out


@functools.cache
def lexicon() -> dict[str, tuple[tuple[str, ...], ...]]:
    """word -> its pronunciations (ARPAbet without stress), from pocketsphinx's CMU dictionary."""
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    entries: dict[str, list[tuple[str, ...]]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, phones = line.strip().partition(" ")
            entries.setdefault(word.split("(")[0], []).append(tuple(phones.split()))
    return {word: tuple(variants) for word, variants in entries.items()}


def _spells(phones: tuple[str, ...], word: str) -> bool:
    """Whether ``phones`` are the letters of ``word`` said one by one."""
    table = lexicon()

    @functools.cache
    def match(at: int, letter: int) -> bool:
        if letter == len(word):
            return at == len(phones)
        return any(
            phones[at : at + len(said)] == said and match(at + len(said), letter + 1)
            for said in table.get(word[letter], ())
        )

    return match(0, 0)


def reading(word: str, shouting: bool) -> str:
    """ "letters" or "word": how an all-capitals ``word`` is read."""
    if word in WORD_ACRONYMS:
        return "word"
    variants = lexicon().get(word.lower())
    if not variants:
        short = len(word) <= 4 or not re.search(r"[AEIOUY]", word)
        return "letters" if short else "word"
    spelled = [_spells(v, word.lower()) for v in variants]
    if all(spelled):
        return "letters"
    if any(spelled):
        return "word" if shouting else "letters"
    return "word"


def _capitals(ctx: Context) -> list[str] | None:
    word = ctx.core
    if re.fullmatch(r"[A-Z]{2,}'s", word):  # "FBI's"
        said = _capitals(ctx.alone(word[:-2]))
        return None if said is None else [*said[:-1], said[-1] + "'s"]
    if not re.fullmatch(r"[A-Z]{2,}s?", word) or word.lower() == word:
        return None
    plural = word.endswith("s") and len(word) > 2 and word[:-1].isupper()
    stem = word[:-1] if plural else word
    if word in SPELLED:
        return SPELLED[word]
    if reading(word, ctx.shouting) == "word" or (plural and reading(stem, ctx.shouting) == "word"):
        return [word.lower()]
    said = letters(stem)
    if plural:
        said[-1] = said[-1] + "s" if not said[-1].endswith("s") else said[-1] + "es"
    return said


def _single(ctx: Context) -> list[str] | None:
    """A capital letter on its own is its name ("Plan B", "Malcolm X"); "A" and "I" are
    words."""
    word = ctx.core
    return letters(word) if re.fullmatch(r"[B-HJ-Z]", word) else None


def _dotted(ctx: Context) -> list[str] | None:
    """ "U.S.A." / "Ph.D." / "e.g" are handled as abbreviations first; other letters with
    dots between them are spelled."""
    if re.fullmatch(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}\.?", ctx.core):
        return letters(ctx.core)
    return None


def _serial(ctx: Context) -> list[str] | None:
    """Letters and digits run together: "B2B", "A4", "MP3", "5G", "4K", "G7"."""
    word = ctx.core
    if not re.fullmatch(r"[A-Za-z0-9]+", word) or word.isdigit() or word.isalpha():
        return None
    parts = re.findall(r"\d+|[A-Za-z]+", word)
    out: list[str] = []
    for part in parts:
        if part.isdigit():
            from voxcap.text.numbers import cardinal

            out.extend(cardinal(part))
        elif part.isupper() and reading(part, ctx.shouting) == "word" and len(part) > 2:
            out.append(part.lower())
        elif part.isupper() or len(part) <= 2 or not re.search(r"[aeiouy]", part, re.I):
            out.extend(letters(part))
        else:
            out.append(part.lower())
    return out


RULES = (_capitals, _single, _dotted, _serial)
