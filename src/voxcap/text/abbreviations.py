"""Abbreviations and titles: "Dr.", "Gen.", "Vol.", "St." (saint or street), "Mt.", "vs.",
"e.g.", "pp.", "a.m.". The dot of an abbreviation belongs to it: it ends a sentence only where
the next word starts one ("... etc. Then"), never after a title ("Gen. Patton")."""

from __future__ import annotations

from voxcap.text.context import Context

CLASS = "abbreviations"

# written (lower case, without the final dot) -> spoken
ABBREVIATIONS: dict[str, str] = {
    "dr": "doctor",
    "mr": "mister",
    "mrs": "missus",
    "ms": "miz",
    "prof": "professor",
    "gen": "general",
    "col": "colonel",
    "capt": "captain",
    "cpt": "captain",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "cmdr": "commander",
    "adm": "admiral",
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "pres": "president",
    "rev": "reverend",
    "fr": "father",
    "hon": "honorable",
    "jr": "junior",
    "sr": "senior",
    "st": "saint",
    "mt": "mount",
    "ft": "fort",
    "vs": "versus",
    "v": "versus",
    "etc": "et cetera",
    "e.g": "for example",
    "i.e": "that is",
    "cf": "compare",
    "approx": "approximately",
    "no": "number",
    "nos": "numbers",
    "vol": "volume",
    "vols": "volumes",
    "ch": "chapter",
    "chap": "chapter",
    "pp": "pages",
    "p": "page",
    "fig": "figure",
    "figs": "figures",
    "ed": "edition",
    "eds": "editors",
    "ave": "avenue",
    "blvd": "boulevard",
    "rd": "road",
    "dept": "department",
    "est": "established",
    "inc": "incorporated",
    "ltd": "limited",
    "co": "company",
    "corp": "corporation",
    "assn": "association",
    "univ": "university",
    "intl": "international",
    "govt": "government",
    "misc": "miscellaneous",
    "max": "maximum",
    "temp": "temperature",
    "tbsp": "tablespoons",
    "tsp": "teaspoons",
    "ph.d": "pee aitch dee",
    "u.s": "you ess",
    "u.s.a": "you ess ay",
    "u.k": "you kay",
    "a.m": "ay em",
    "p.m": "pee em",
    "a.d": "ay dee",
    "b.c": "bee see",
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
    "mon": "monday",
    "tue": "tuesday",
    "tues": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "thurs": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}
# read as abbreviations without a dot too ("Dr Smith", "Mr Jones", "vs"); the others only with
# one ("no." and "Jan." are abbreviations; "no" and "jan" are not)
UNDOTTED = {"dr", "mr", "mrs", "prof", "vs", "etc", "jr", "sr", "approx", "dept", "e.g", "i.e"}
UNDOTTED |= {"ph.d", "u.s", "u.s.a", "u.k", "a.m", "p.m", "govt", "intl", "misc"}
# never end a sentence: they stand before a name, a number or a clause
TITLES = {"dr", "mr", "mrs", "ms", "prof", "gen", "col", "capt", "cpt", "lt", "sgt", "cmdr"}
TITLES |= {"adm", "gov", "sen", "rep", "pres", "rev", "fr", "hon", "st", "mt", "ft", "vs", "v"}
TITLES |= {"e.g", "i.e", "cf", "no", "nos", "vol", "vols", "ch", "chap", "pp", "p", "fig"}
TITLES |= {"figs", "approx", "ph.d", "u.s", "u.s.a", "u.k", "a.d", "b.c"}
# abbreviations that keep their reading only in title case before a name ("Ms. Lee"; "5 ms")
_CASED = {"ms", "st", "mt", "ft", "gen", "col", "sen", "rep", "rev", "fr", "mar", "sun", "sat"}


# abbreviations that, in capitals, are something else (a time zone)
_NOT_SHOUTED = {"est"}


def key(core: str) -> str:
    return core.lower().removesuffix(".")


def is_abbreviation(core: str, dotted: bool) -> bool:
    """Whether ``core`` (followed by a dot when ``dotted``) is a known abbreviation."""
    k = key(core)
    if k not in ABBREVIATIONS:
        return False
    if k in _CASED and not core[:1].isupper():
        return False
    if k in _NOT_SHOUTED and core.removesuffix(".").isupper():
        return False  # "8 PM EST.": the time zone, not "established"
    if k == "v" and core[:1] != "v":
        return False  # "Roe v. Wade"; "John V. Smith" is an initial
    return dotted or k in UNDOTTED or "." in k


def _abbreviation(ctx: Context) -> list[str] | None:
    core = ctx.core
    if not core.endswith(".") and not is_abbreviation(core, dotted=False):
        return None
    if core.endswith(".") and not is_abbreviation(core, dotted=True):
        return None
    k = key(core)
    if k == "st" and not ctx.near(1)[:1].isupper():
        return ["street"]  # "Main St." (no name follows)
    if k == "p" and not ctx.near(1)[:1].isdigit():
        return None
    return ABBREVIATIONS[k].split()


RULES = (_abbreviation,)
