"""Dates and times: "July 4, 2025", "25 July 2012", "2025-07-04", "7/4/2025", years and decades
("1980s", "'90s"), clock times with a.m./p.m. ("9:30 a.m.", "3pm", "14:30") and time zones."""

from __future__ import annotations

import re

from num2words import num2words

from voxcap.text.acronyms import letters
from voxcap.text.context import Context
from voxcap.text.measures import unit
from voxcap.text.numbers import DIGITS, cardinal, flat, ordinal

CLASS = "dates"

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_ABBREVIATIONS = {m[:3]: m for m in MONTHS} | {"sept": "september"}
ZONES = {"UTC", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "CET", "CEST"}
ZONES |= {"BST", "IST", "JST", "AEST", "ET", "PT", "CT", "MT"}
_DAY_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?", re.I)
_MERIDIEM = {"am": "ay em", "a.m": "ay em", "a.m.": "ay em", "pm": "pee em", "p.m": "pee em"}
_MERIDIEM |= {"p.m.": "pee em"}


def month(word: str) -> str | None:
    """The month a word names: "July", "Jul.", "Sept" (capitalised; "may" is a verb)."""
    if not word[:1].isupper():
        return None
    key = word.lower().rstrip(".")
    if key in MONTHS:
        return key
    title = word[1:].rstrip(".").islower()  # "Apr", "Sept."; not "APR" (a rate)
    return _MONTH_ABBREVIATIONS.get(key) if title and key != "may" else None


def day(word: str) -> int | None:
    """The day a word names ("4", "4th", "04"), 1 to 31."""
    m = _DAY_RE.fullmatch(word)
    return int(m[1]) if m and 1 <= int(m[1]) <= 31 else None


def year(number: int) -> list[str]:
    """A year as people say it (1905 -> nineteen oh five, 2025 -> twenty twenty five)."""
    return flat(num2words(number, to="year"))


def is_year(word: str) -> bool:
    return bool(re.fullmatch(r"1[1-9]\d\d|20\d\d", word))


def date(month_no: int, day_no: int, year_text: str | None) -> list[str] | None:
    """ "July fourth twenty twenty five"."""
    if not (1 <= month_no <= 12 and 1 <= day_no <= 31):
        return None
    out = [MONTHS[month_no - 1], *ordinal(str(day_no))]
    return out + _year_of(year_text) if year_text else out


def _month_word(ctx: Context) -> list[str] | None:
    name = month(ctx.core)
    if name is None:
        return None
    if day(ctx.near(-1)) is not None and ctx.joined(-1) and not month(ctx.near(-2)):
        return ["of", name]  # "25 July" -> the twenty fifth of July
    return [name]


def _day(ctx: Context) -> list[str] | None:
    number = day(ctx.core)
    if number is None:
        return None
    if month(ctx.near(-1)) and ctx.joined(-1):
        return ordinal(str(number))  # "July 4" -> July fourth
    if month(ctx.near(1)) and ctx.joined(1):
        return ["the", *ordinal(str(number))]  # "4 July" -> the fourth of July
    return None


def _iso_date(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", ctx.core)
    return date(int(m[2]), int(m[3]), m[1]) if m else None


def _slash_date(ctx: Context) -> list[str] | None:
    """ "7/4/2025" (month first, as in the US), "25/12/2025" (day first, when it must be)."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", ctx.core)
    if not m:
        return None
    first, second = int(m[1]), int(m[2])
    if first > 12 >= second >= 1 and first <= 31:
        return ["the", *ordinal(str(first)), "of", MONTHS[second - 1], *_year_of(m[3])]
    said = date(first, second, None)
    return None if said is None else [*said, *_year_of(m[3])]


def _month_day(ctx: Context) -> list[str] | None:
    """ "Pi day is 3/14" -> March fourteenth: a month and a day no fraction would have (the
    second number 13 to 31), not before a unit ("5/16 in") nor after a whole number ("2 5/16")."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", ctx.core)
    if not m or not (1 <= int(m[1]) <= 12 and 13 <= int(m[2]) <= 31):
        return None
    if unit(ctx.near(1)) is not None or (re.fullmatch(r"\d+", ctx.near(-1)) and ctx.joined(-1)):
        return None
    return date(int(m[1]), int(m[2]), None)


def _year_of(text: str) -> list[str]:
    number = int(text)
    return year(number if number >= 100 else 2000 + number)


def _year(ctx: Context) -> list[str] | None:
    return year(int(ctx.core)) if is_year(ctx.core) else None


def _decade(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"(1[1-9]\d0|20\d0)'?s|'?(\d0)'?s", ctx.core)
    if not m:
        return None
    said = year(int(m[1])) if m[1] else cardinal(m[2])
    last = said[-1]
    said[-1] = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return said


def clock(hour: int, minute: int, meridiem: bool) -> list[str] | None:
    if hour > 24 or minute > 59:
        return None
    if minute == 0:
        return [*cardinal(str(hour)), *([] if meridiem else ["o'clock"])]
    tail = cardinal(str(minute)) if minute >= 10 else ["oh", DIGITS[minute]]
    return [*cardinal(str(hour)), *tail]


def _is_meridiem(word: str) -> bool:
    return word.lower() in _MERIDIEM


def _time(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"(\d{1,2}):(\d\d)(?:\s*([ap]\.?m\.?))?", ctx.core, re.I)
    if m:
        meridiem = bool(m[3]) or (_is_meridiem(ctx.near(1)) and ctx.joined(1))
        said = clock(int(m[1]), int(m[2]), meridiem)
        if said is not None and m[3]:
            said += _MERIDIEM[m[3].lower().replace(".", "")].split()
        return said
    m = re.fullmatch(r"(\d{1,2})([ap])\.?m\.?", ctx.core, re.I)
    if m and 1 <= int(m[1]) <= 12:
        return [*cardinal(m[1]), *letters(m[2] + "m")]
    return None


def _meridiem(ctx: Context) -> list[str] | None:
    if not _is_meridiem(ctx.core):
        return None
    before = ctx.near(-1)
    if ctx.core.lower().startswith(("a.", "p.")) or re.fullmatch(r"\d{1,2}(:\d\d)?", before):
        return _MERIDIEM[ctx.core.lower()].split()
    return None


def _zone(ctx: Context) -> list[str] | None:
    return letters(ctx.core) if ctx.core in ZONES else None


RULES = (
    _iso_date,
    _slash_date,
    _month_day,
    _time,
    _meridiem,
    _zone,
    _decade,
    _day,
    _month_word,
    _year,
)
