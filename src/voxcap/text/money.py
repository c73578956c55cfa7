"""Money: currency symbols ($ € £ ¥ ₹), ISO codes ("USD 5", "5 EUR"), scales ("$3.5 million",
"$1.2M", "$5k") and ranges ("$10-$20")."""

from __future__ import annotations

import re

from voxcap.text.context import Context, modifies_next
from voxcap.text.numbers import NUM, SCALES, cardinal, decimal

CLASS = "money"

# symbol -> (one, many, sub-unit one, sub-unit many)
CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}
# ISO 4217 codes people write -> (one, many)
CODES = {
    "USD": ("you ess dollar", "you ess dollars"),
    "EUR": ("euro", "euros"),
    "GBP": ("pound", "pounds"),
    "JPY": ("yen", "yen"),
    "INR": ("rupee", "rupees"),
    "CNY": ("yuan", "yuan"),
    "CAD": ("canadian dollar", "canadian dollars"),
    "AUD": ("australian dollar", "australian dollars"),
    "CHF": ("swiss franc", "swiss francs"),
}
_SYM = "[$€£¥₹]"
_AMOUNT_RE = re.compile(
    rf"^(?:US)?(?P<sym>{_SYM})(?P<num>{NUM}|(?=\.\d))(?P<frac>\.\d+)?"
    r"(?P<scale>k|mm|m|bn|b|t|thousand|million|billion|trillion)?"
    r"(?:/(?P<per>[A-Za-z]+))?$",
    re.I,
)
_SCALE_WORDS = {"thousand", "million", "billion", "trillion"}


# "$200/month" -> two hundred dollars a month; other units are "per" ("$5/user")
PER = {
    "month": "a month",
    "mo": "a month",
    "year": "a year",
    "yr": "a year",
    "week": "a week",
    "wk": "a week",
    "day": "a day",
    "hour": "an hour",
    "hr": "an hour",
    "h": "an hour",
}


def _amount(ctx: Context) -> list[str] | None:
    m = _AMOUNT_RE.match(ctx.core)
    if not m:
        return None
    said = _price(ctx, m)
    if m["per"]:
        said += PER.get(m["per"].lower(), f"per {m['per'].lower()}").split()
    return said


def _price(ctx: Context, m: re.Match[str]) -> list[str]:
    one, many, sub_one, sub_many = CURRENCIES[m["sym"]]
    number = (m["num"] or "0") + (m["frac"] or "")
    if m["scale"]:
        return [*decimal(number), SCALES[m["scale"].lower()], many]
    if ctx.near(1).lower() in _SCALE_WORDS and ctx.joined(1) and not m["per"]:
        return decimal(number)  # "$3.5 million": the unit follows the scale word
    whole = int((m["num"] or "0").replace(",", ""))
    cents = int((m["frac"] or ".0")[1:3].ljust(2, "0")) if m["frac"] else 0
    if m["frac"] and len(m["frac"]) > 3:
        return [*decimal(number), many]  # "$0.005": a price to the tenth of a cent
    # "a $5 fee", "the $12 rotisserie chicken": an amount used as an adjective is singular
    adjective = not m["per"] and (
        (ctx.near(-1).lower() in {"a", "an"} and ctx.joined(-1)) or modifies_next(ctx)
    )
    unit = one if whole == 1 or adjective else many
    out = [*cardinal(str(whole)), unit] if whole or not cents else []
    if cents:
        out += [*cardinal(str(cents)), sub_one if cents == 1 else sub_many]
    return out


def _scale_after_amount(ctx: Context) -> list[str] | None:
    """ "million" after "$3.5" says "million dollars"."""
    if ctx.core.lower() not in _SCALE_WORDS or not ctx.joined(-1):
        return None
    m = _AMOUNT_RE.match(ctx.near(-1))
    if not m or m["scale"]:
        return None
    return [ctx.core.lower(), CURRENCIES[m["sym"]][1]]


def _money_range(ctx: Context) -> list[str] | None:
    m = re.fullmatch(rf"({_SYM})({NUM}(?:\.\d+)?)-\1?({NUM}(?:\.\d+)?)", ctx.core)
    if not m:
        return None
    return [*decimal(m[2]), "to", *decimal(m[3]), CURRENCIES[m[1]][1]]


def _code(ctx: Context) -> list[str] | None:
    """ "USD" after an amount is the unit; before one it is said after it ("USD 5" -> five
    U.S. dollars), so the code itself says nothing."""
    code = ctx.core.upper()
    if ctx.core != code or code not in CODES:
        return None
    if re.fullmatch(rf"{NUM}(?:\.\d+)?", ctx.near(-1)) and ctx.joined(-1):
        one, many = CODES[code]
        return (one if ctx.near(-1) == "1" else many).split()
    if re.fullmatch(rf"{NUM}(?:\.\d+)?", ctx.near(1)) and ctx.joined(1):
        return []
    return None


def _amount_after_code(ctx: Context) -> list[str] | None:
    code = ctx.near(-1)
    if code not in CODES or not ctx.joined(-1):
        return None
    if not re.fullmatch(rf"{NUM}(?:\.\d+)?", ctx.core):
        return None
    one, many = CODES[code]
    return [*decimal(ctx.core), *(one if ctx.core == "1" else many).split()]


RULES = (_amount, _scale_after_amount, _money_range, _code, _amount_after_code)
