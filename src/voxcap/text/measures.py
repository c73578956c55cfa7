"""Measures: a number with a unit, attached or after it ("250 g", "10km", "5 km/h", "-5°C",
"16 GB", "0.5 ms", "45%"), singular for exactly one ("1 kg" -> one kilogram) and before the
noun it describes ("a 5 lb bag" -> a five pound bag)."""

from __future__ import annotations

import re

from voxcap.text.context import Context, modifies_next
from voxcap.text.numbers import NUM, decimal, is_number

CLASS = "measures"

# unit as written -> (singular, plural); matched exactly first, then in lower case
UNITS: dict[str, tuple[str, str]] = {
    "mm": ("millimeter", "millimeters"),
    "cm": ("centimeter", "centimeters"),
    "m": ("meter", "meters"),
    "km": ("kilometer", "kilometers"),
    "in": ("inch", "inches"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "mi": ("mile", "miles"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "t": ("tonne", "tonnes"),
    "oz": ("ounce", "ounces"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "l": ("liter", "liters"),
    "L": ("liter", "liters"),
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "sec": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "°c": ("degree celsius", "degrees celsius"),
    "°f": ("degree fahrenheit", "degrees fahrenheit"),
    "°": ("degree", "degrees"),
    "%": ("percent", "percent"),
    "kb": ("kilobyte", "kilobytes"),
    "mb": ("megabyte", "megabytes"),
    "gb": ("gigabyte", "gigabytes"),
    "tb": ("terabyte", "terabytes"),
    "mbps": ("megabit per second", "megabits per second"),
    "gbps": ("gigabit per second", "gigabits per second"),
    "hz": ("hertz", "hertz"),
    "khz": ("kilohertz", "kilohertz"),
    "mhz": ("megahertz", "megahertz"),
    "ghz": ("gigahertz", "gigahertz"),
    "kw": ("kilowatt", "kilowatts"),
    "kwh": ("kilowatt hour", "kilowatt hours"),
    "w": ("watt", "watts"),
    "v": ("volt", "volts"),
    "cal": ("calorie", "calories"),
    "kcal": ("kilocalorie", "kilocalories"),
    "x": ("times", "times"),
    "tsp": ("teaspoon", "teaspoons"),
    "tbsp": ("tablespoon", "tablespoons"),
}
_NUMBER = rf"[+-]?(?:{NUM})?(?:\.\d+)?"


def unit(text: str) -> tuple[str, str] | None:
    if text in UNITS:
        return UNITS[text]
    lower = text.lower()
    if lower in UNITS and lower not in {"m", "t", "s", "h", "l", "v", "w", "x", "in", "g"}:
        return UNITS[lower]
    return None


def _say(number: str, names: tuple[str, str], adjective: bool = False) -> list[str]:
    one = (adjective or number.lstrip("+") in {"1", "1.0"}) and names[0] != names[1]
    return [*decimal(number), *(names[0] if one else names[1]).split()]


def _attached(ctx: Context) -> list[str] | None:
    """ "10km", "-5°C", "45%", "5km/h"."""
    m = re.fullmatch(rf"({_NUMBER})\s*([°%]?[A-Za-z/]*|%)", ctx.core)
    if not m or not is_number(m[1]) or not m[2]:
        return None
    names = unit(m[2])
    return _say(m[1], names, modifies_next(ctx)) if names else None


def _after_number(ctx: Context) -> list[str] | None:
    """ "250 g", "16 GB", "0.5 ms": a unit word right after a number."""
    names = unit(ctx.core) if ctx.core != "in" else None  # "5 in the morning"
    if names is None or not is_number(ctx.near(-1)) or not ctx.joined(-1):
        return None
    # "a 5 lb bag": a measure used as an adjective takes the singular
    one = ctx.near(-1).lstrip("+") in {"1", "1.0"} or modifies_next(ctx)
    return (names[0] if one else names[1]).split()


RULES = (_attached, _after_number)
