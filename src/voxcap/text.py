"""Text for speech: the user's words, what is actually spoken for each, and sentence chunks.

A *word* is a whitespace-separated token of the user's text exactly as written ("$3.50," "Dr.").
Each word becomes zero or more spoken *tokens* (plain lower-case words an engine and an aligner
can say: "three dollars fifty cents"), and every token remembers the index of its word, so timings
found for tokens map back exactly to the words the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from num2words import num2words

from voxcap.errors import EmptyText, TextTooLong


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


# ---------------------------------------------------------------- vocabularies
ABBREVIATIONS: dict[str, str] = {
    "dr": "doctor",
    "mr": "mister",
    "mrs": "missus",
    "ms": "miz",
    "prof": "professor",
    "jr": "junior",
    "sr": "senior",
    "st": "saint",
    "mt": "mount",
    "ft": "feet",
    "vs": "versus",
    "etc": "et cetera",
    "e.g": "for example",
    "i.e": "that is",
    "a.m": "ay em",
    "p.m": "pee em",
    "approx": "approximately",
    "no": "number",
    "dept": "department",
    "est": "established",
    "inc": "incorporated",
    "ltd": "limited",
    "co": "company",
    "corp": "corporation",
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
    "min": "minutes",
    "hr": "hours",
    "hrs": "hours",
    "lb": "pounds",
    "lbs": "pounds",
    "oz": "ounces",
    "km": "kilometers",
    "kg": "kilograms",
    "cm": "centimeters",
    "mm": "millimeters",
    "mph": "miles per hour",
    "u.s": "you ess",
    "u.k": "you kay",
}
# Abbreviations that are written with a dot only as abbreviations (so "no." is not one, "Dr" is).
_DOTTED_ONLY = {
    "no",
    "co",
    "est",
    "min",
    "st",
    "mt",
    "ft",
    "jan",
    "mar",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
}
# Titles never end a sentence ("Dr. Smith"); other abbreviations may ("... etc. Then").
_TITLES = {"dr", "mr", "mrs", "ms", "prof", "st", "mt", "no", "vs", "e.g", "i.e"}
# All-caps words read as words, not letter by letter.
WORD_ACRONYMS = {
    "NASA",
    "NATO",
    "UNESCO",
    "UNICEF",
    "SCUBA",
    "LASER",
    "RADAR",
    "COVID",
    "AIDS",
    "FIFA",
    "OPEC",
    "LOL",
    "GIF",
    "JPEG",
    "PIN",
    "SIM",
    "ZIP",
    "OK",
    "IKEA",
    "ASAP",
}
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
CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "sen", "sen"),
}
SCALES = {
    "k": "thousand",
    "m": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
}
UNITS = {
    "km": "kilometers",
    "kg": "kilograms",
    "cm": "centimeters",
    "mm": "millimeters",
    "m": "meters",
    "g": "grams",
    "mph": "miles per hour",
    "ms": "milliseconds",
    "s": "seconds",
    "h": "hours",
    "x": "times",
    "gb": "gigabytes",
    "mb": "megabytes",
    "tb": "terabytes",
    "kb": "kilobytes",
    "hz": "hertz",
    "khz": "kilohertz",
    "lb": "pounds",
    "lbs": "pounds",
    "ft": "feet",
    "in": "inches",
    "min": "minutes",
    "k": "thousand",
}

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_WORD_RE = re.compile(r"^([^\w$€£¥#&+@]*)(.*?)([^\w%&+°]*)$")
_NUM = r"\d{1,3}(?:,\d{3})+|\d+"


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
    shouting = _is_shouting(words)
    tokens: list[Token] = []
    ends: set[int] = set()
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        spoken, punct, ends_sentence = _speak_word(word, nxt, shouting)
        if ends_sentence:
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


def sentence_ends(words: Sequence[str]) -> frozenset[int]:
    """Indexes of the words that end a sentence ("Dr." and "a.m. on" do not; "etc. Then" does)."""
    shouting = _is_shouting(tuple(words))
    return frozenset(
        i
        for i, word in enumerate(words)
        if _speak_word(word, words[i + 1] if i + 1 < len(words) else None, shouting)[2]
    )


def _split(tokens: list[Token], ends: set[int], max_tokens: int) -> tuple[Sentence, ...]:
    """Cut tokens into sentences at sentence ends, and overlong ones at clause punctuation."""
    sentences: list[Sentence] = []
    current: list[Token] = []
    for k, tok in enumerate(tokens):
        current.append(tok)
        last_of_word = k + 1 == len(tokens) or tokens[k + 1].word != tok.word
        at_end = last_of_word and tok.word in ends
        too_long = len(current) >= max_tokens and (tok.punct or len(current) >= 2 * max_tokens)
        if at_end or (too_long and last_of_word):
            sentences.append(Sentence(tuple(current)))
            current = []
    if current:
        sentences.append(Sentence(tuple(current)))
    return tuple(sentences)


def _is_shouting(words: tuple[str, ...]) -> bool:
    alpha = [w for w in words if sum(c.isalpha() for c in w) >= 2]
    caps = [w for w in alpha if w.upper() == w]
    return len(alpha) >= 4 and len(caps) >= 0.6 * len(alpha)


def _speak_word(word: str, nxt: str | None, shouting: bool) -> tuple[list[str], str, bool]:
    """Spoken tokens, the pause punctuation after them, and whether the word ends a sentence."""
    clean = unicodedata.normalize("NFKC", word).translate(_QUOTES)
    match = _WORD_RE.match(clean)
    assert match is not None  # the pattern matches every string
    lead, core, trail = match.groups()
    if not core:
        trail = lead + trail  # "...", "--": only punctuation
    elif lead.endswith("-") and core[:1].isdigit():
        core = "-" + core  # a negative number: the sign is spoken
    key = core.lower()
    if key in ABBREVIATIONS and (trail.startswith(".") or key not in _DOTTED_ONLY):
        if trail.startswith("."):
            trail = trail[1:]
        spoken = ABBREVIATIONS[key].split()
        if key == "st" and nxt is not None and not nxt[:1].isupper():
            spoken = ["street"]
        if key not in _TITLES and not trail and nxt is not None and nxt[:1].isupper():
            trail = "."  # "... etc. Then" ends a sentence; the dot did double duty
    else:
        spoken = _speak_core(core, shouting)
    punct = _pause(trail)
    return [t.lower() for t in spoken], punct, punct in {".", "?", "!"}


def _pause(trail: str) -> str:
    for mark in ("?", "!", "."):
        if mark in trail or (mark == "." and "…" in trail):
            return mark
    for mark in (";", ":", ","):
        if mark in trail:
            return mark
    return ""


# ---------------------------------------------------------------- core rules
def _number(digits: str) -> list[str]:
    return _flat(num2words(int(digits.replace(",", ""))))


def _decimal(num: str) -> list[str]:
    num = num.replace(",", "")
    sign = ["minus"] if num.startswith("-") else []
    num = num.lstrip("+-")
    if "." in num:
        whole, frac = num.split(".", 1)
        return sign + _number(whole or "0") + ["point"] + [_DIGITS[int(d)] for d in frac]
    return sign + _number(num)


_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _flat(words: str) -> list[str]:
    return re.sub(r"[-,]", " ", words).split()


def _currency(m: re.Match[str]) -> list[str]:
    one, many, sub_one, sub_many = CURRENCIES[m["sym"]]
    whole = int(m["num"].replace(",", ""))
    if m["scale"]:
        amount = _decimal(m["num"] + (m["frac"] or ""))
        return [*amount, SCALES[m["scale"].lower()], many]
    out = [*_number(str(whole)), one if whole == 1 else many]
    cents = int((m["frac"] or ".0")[1:3].ljust(2, "0"))
    if cents:
        out += [*_number(str(cents)), sub_one if cents == 1 else sub_many]
    return out


def _year(m: re.Match[str]) -> list[str]:
    return _flat(num2words(int(m[0]), to="year"))


def _decade(m: re.Match[str]) -> list[str]:
    spoken = _flat(num2words(int(m[1]), to="year"))
    last = spoken[-1]
    spoken[-1] = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return spoken


def _time(m: re.Match[str]) -> list[str]:
    hour, minute = int(m[1]), int(m[2])
    if minute == 0:
        return [*_number(str(hour)), "o'clock"]
    tail = _number(str(minute)) if minute >= 10 else ["oh", _DIGITS[minute]]
    return [*_number(str(hour)), *tail]


def _letters(m: re.Match[str]) -> list[str]:
    return [w for c in m[0].lower() for w in LETTERS[c].split()]


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], list[str]]]] = [
    (
        re.compile(
            rf"^(?P<sym>[$€£¥])(?P<num>{_NUM})(?P<frac>\.\d+)?"
            r"(?P<scale>k|m|bn|b|t|thousand|million|billion)?$",
            re.I,
        ),
        _currency,
    ),
    (re.compile(rf"^([+-]?(?:{_NUM})(?:\.\d+)?)%$"), lambda m: [*_decimal(m[1]), "percent"]),
    (
        re.compile(rf"^({_NUM})(?:st|nd|rd|th)$", re.I),
        lambda m: _flat(num2words(int(m[1].replace(",", "")), to="ordinal")),
    ),
    (re.compile(r"^(1[1-9]\d0|20\d0)'?s$"), _decade),
    (re.compile(r"^(?:1[1-9]\d\d|20\d\d)$"), _year),
    (re.compile(r"^(\d{1,2}):(\d\d)$"), _time),
    (re.compile(rf"^[+-]?(?:{_NUM})(?:\.\d+)?$"), lambda m: _decimal(m[0])),
    (re.compile(r"^#(\d+)$"), lambda m: ["number", *_number(m[1])]),
    (
        re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$", re.I),
        lambda m: (
            [*_decimal(m[1]), *UNITS[m[2].lower()].split()]
            if m[2].lower() in UNITS
            else [*_decimal(m[1]), *_speak_core(m[2], False)]
        ),
    ),
    (re.compile(r"^[a-z]+(?:'[a-z]+)*$", re.I), lambda m: [m[0]]),
]


def _speak_core(core: str, shouting: bool) -> list[str]:
    """Spoken tokens for a word with its outer punctuation removed."""
    if not core:
        return []
    if core in SYMBOLS:
        return [SYMBOLS[core]]
    if not shouting and re.fullmatch(r"[A-Z]{2,6}", core) and core not in WORD_ACRONYMS:
        return _letters(re.match(r".*", core))  # type: ignore[arg-type]
    for pattern, rule in _RULES:
        m = pattern.match(core)
        if m:
            return rule(m)
    # Compound: split on joiners and symbols, speak each part ("well-known", "AT&T", "mp3").
    parts = re.findall(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*|[&+@=%#°×]", core)
    if parts == [core]:
        return [p for p in re.findall(r"[^\W\d_]+", core)]  # letters of another script
    out: list[str] = []
    for part in parts:
        if part in SYMBOLS:
            out.append(SYMBOLS[part])
        elif (
            part.isascii()
            and part.isalpha()
            and ((part.isupper() and len(part) == 1) or not re.search(r"[aeiouy]", part, re.I))
        ):
            out.extend(_letters(re.match(r".*", part)))  # type: ignore[arg-type]
        else:
            out.extend(_speak_core(part, shouting))
    return out
