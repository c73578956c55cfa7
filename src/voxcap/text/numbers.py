"""Numbers: cardinals of any size, decimals, ordinals, fractions, mixed numbers and ranges.

Numbers up to 15 digits are read as words ("one thousand two hundred and fifty"); longer digit
strings, and ones with a leading zero ("007"), are read digit by digit, as people read them.
"""

from __future__ import annotations

import re

from num2words import num2words

from voxcap.text.context import Context, read_part

CLASS = "numbers"

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
MAX_WORDS_DIGITS = 15  # longer numbers are read digit by digit
NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_NUMBER_RE = re.compile(rf"^[+-]?(?:{NUM})?(?:\.\d+)?$")

# denominators: (singular, plural)
_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def flat(words: str) -> list[str]:
    """num2words output as tokens ("forty-two" -> ["forty", "two"])."""
    return re.sub(r"[-,]", " ", words).split()


def digits(text: str) -> list[str]:
    """Each digit of ``text`` as a word ("4567" -> four five six seven)."""
    return [DIGITS[int(c)] for c in text if c.isdigit()]


def cardinal(text: str) -> list[str]:
    """A whole number as words ("1,250" -> one thousand two hundred and fifty); long digit
    strings and ones with a leading zero digit by digit."""
    plain = text.replace(",", "")
    if len(plain) > MAX_WORDS_DIGITS or (len(plain) > 1 and plain.startswith("0")):
        return digits(plain)
    return flat(num2words(int(plain)))


def ordinal(text: str) -> list[str]:
    """A whole number as an ordinal ("21" -> twenty first)."""
    plain = text.replace(",", "")
    if len(plain) > MAX_WORDS_DIGITS:
        return [*digits(plain[:-1]), *flat(num2words(int(plain[-1]), to="ordinal"))]
    return flat(num2words(int(plain), to="ordinal"))


def decimal(text: str) -> list[str]:
    """A signed decimal ("-2.5" -> minus two point five, ".5" -> point five)."""
    text = text.replace(",", "")
    sign = ["minus"] if text.startswith("-") else ["plus"] if text.startswith("+") else []
    text = text.lstrip("+-")
    whole, _, frac = text.partition(".")
    out = sign + (cardinal(whole) if whole else [])
    if frac:
        out += ["point", *digits(frac)]
    return out


def is_number(text: str) -> bool:
    return bool(text) and any(c.isdigit() for c in text) and bool(_NUMBER_RE.match(text))


def fraction(numerator: int, denominator: int, *, after_whole: bool = False) -> list[str]:
    """ "3/4" -> three quarters; "1/2" -> one half (or "a half" after a whole number)."""
    one = ["a"] if after_whole and numerator == 1 else cardinal(str(numerator))
    if denominator in _DENOMINATORS:
        single, plural = _DENOMINATORS[denominator]
        return [*one, single if numerator == 1 else plural]
    name = flat(num2words(denominator, to="ordinal"))
    if numerator != 1:
        name[-1] = name[-1] + "s"
    return [*one, *name]


def _number(ctx: Context) -> list[str] | None:
    core = ctx.core
    if not is_number(core):
        return None
    # a whole number before a fraction: "2 1/2" -> two and a half
    if re.fullmatch(r"\d+", core) and re.fullmatch(r"\d+/\d+", ctx.near(1)) and ctx.joined(1):
        return [*cardinal(core), "and"]
    return decimal(core)


def _ordinal(ctx: Context) -> list[str] | None:
    m = re.fullmatch(rf"({NUM})(st|nd|rd|th)", ctx.core, re.I)
    return ordinal(m[1]) if m else None


def _fraction(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"(\d{1,6})/(\d{1,6})", ctx.core)
    if not m or int(m[2]) == 0:
        return None
    after_whole = bool(re.fullmatch(r"\d+", ctx.near(-1))) and ctx.joined(-1)
    if m[1] == "24" and m[2] == "7":
        return ["twenty", "four", "seven"]  # 24/7
    return fraction(int(m[1]), int(m[2]), after_whole=after_whole)


def _range(ctx: Context) -> list[str] | None:
    """ "10-20" -> ten to twenty; "1990-2000" -> nineteen ninety to two thousand."""
    m = re.fullmatch(rf"({NUM}(?:\.\d+)?)-({NUM}(?:\.\d+)?)(%?)", ctx.core)
    if not m:
        return None
    ends = [read_part(ctx, m[1]), read_part(ctx, m[2])]
    return [*ends[0], "to", *ends[1], *(["percent"] if m[3] else [])]


# a scale as written after a number or an amount ("$3.5 million", "$5k", "1.2M") -> its word
SCALES = {
    "k": "thousand",
    "m": "million",
    "mm": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
}
_RACES = {"run", "race", "walk", "runs", "races"}
# what a "4K" counts: then it is four thousand, not the video resolution ("shot in 4K")
_COUNTED = set(
    """followers views subscribers subs likes people users downloads streams members fans
    comments shares sales customers readers listeners viewers plays clicks visitors""".split()
)


def _scaled(ctx: Context) -> list[str] | None:
    """ "1.2M" -> one point two million, "5K followers" -> five thousand followers; "a 5K run"
    (a race) and "4K" video (a resolution: 2K, 4K, 8K) say the letter. A lower-case "m" is a
    meter (:mod:`voxcap.text.measures`), so only "M" is a million."""
    m = re.fullmatch(rf"({NUM}(?:\.\d+)?)(K|k|M|B|b|bn|BN)\+?", ctx.core)
    if not m:
        return None
    if m[2] in {"K", "k"}:
        counted = ctx.near(1).lower() in _COUNTED
        race = ctx.near(1).lower() in _RACES or ctx.near(-1).lower() == "a"
        if race or (m[1] in {"2", "4", "8"} and not counted):
            return [*decimal(m[1]), "kay"]
    return [*decimal(m[1]), SCALES[m[2].lower()]]


def _times(ctx: Context) -> list[str] | None:
    """ "x2" -> times two."""
    m = re.fullmatch(r"[x×](\d+(?:\.\d+)?)", ctx.core)
    return ["times", *decimal(m[1])] if m else None


RULES = (_ordinal, _fraction, _range, _scaled, _number, _times)
