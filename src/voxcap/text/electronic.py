"""Electronic text: e-mail addresses, URLs, hashtags, @handles, phone numbers, and versions and
serials ("3.11.4", "v2.0", "COVID-19")."""

from __future__ import annotations

import re

from voxcap.text.acronyms import letters
from voxcap.text.context import Context, read_part
from voxcap.text.numbers import cardinal, digits

CLASS = "electronic"

_SYMBOLS = {".": "dot", "/": "slash", "-": "dash", "_": "underscore", "@": "at", ":": "colon"}
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.I)
_DOMAIN = r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
_URL_RE = re.compile(rf"^(?:(?:https?|ftp)://)?(?:www\.)?{_DOMAIN}(?::\d+)?(?:/\S*)?$", re.I)
_EMAIL_RE = re.compile(rf"^[\w.+-]+@{_DOMAIN}$")
# the last part of a domain people say as a word ("dot com"); others are spelled ("dot i o")
_SAID_TLDS = {"com", "org", "net", "edu", "gov", "info", "app", "dev", "shop", "store", "blog"}


def spell_address(text: str, ctx: Context) -> list[str]:
    """Read an address piece by piece: words as words, "." as "dot", "/" as "slash"."""
    out: list[str] = []
    parts = re.findall(r"[A-Za-z]+|\d+|[./\-_@:]|[^\w./\-_@:]+", text)
    if len(parts) > 2 and parts[0].lower() == "www" and parts[1] == ".":
        parts = parts[2:]  # "www.glowcut.app" is said "glowcut dot app"
    for k, part in enumerate(parts):
        if part in _SYMBOLS:
            out.append(_SYMBOLS[part])
        elif part.isdigit():
            out.extend(cardinal(part) if len(part) <= 4 else digits(part))
        elif part.isalpha():
            last = k == len(parts) - 1 or parts[k + 1] in "/:"
            tld = k > 0 and parts[k - 1] == "." and last
            if tld and part.lower() not in _SAID_TLDS:
                out.extend(letters(part))
            elif tld:
                out.append(part.lower())
            else:
                out.extend(_word_parts(part, ctx))
    return out


def _word_parts(part: str, ctx: Context) -> list[str]:
    """A name in an address or hashtag: camelCase split into words ("MondayMotivation"), its
    numbers read ("GlowUp2024" -> glow up twenty twenty four)."""
    pieces = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|$|\d)|[A-Z]?[a-z]+|[A-Z]+|\d+", part)
    out: list[str] = []
    for piece in pieces or [part]:
        out.extend(read_part(ctx, piece) if len(pieces) > 1 else [piece.lower()])
    if len(pieces) <= 1 and not re.search(r"[aeiouy]", part, re.I):
        return letters(part)
    return out


def _email(ctx: Context) -> list[str] | None:
    return spell_address(ctx.core, ctx) if _EMAIL_RE.match(ctx.core) else None


def _url(ctx: Context) -> list[str] | None:
    core = ctx.core
    if not _URL_RE.match(core) or "." not in core:
        return None
    has_scheme = bool(_SCHEME.match(core))
    host = _SCHEME.sub("", core).split("/")[0].lower()
    # "e.g" and "a.m" are abbreviations; a URL names a known domain ending or has a scheme/www
    tld = host.rsplit(".", 1)[-1]
    if not (has_scheme or host.startswith("www.") or tld in _SAID_TLDS or len(tld) == 2):
        return None
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", host, re.I):
        return None  # "e.g", "i.e", "a.m": letters with dots are abbreviations
    return spell_address(_SCHEME.sub("", core).rstrip("/"), ctx)


def _hashtag(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"#([A-Za-z]\w*)", ctx.core)
    return ["hashtag", *_word_parts(m[1].replace("_", ""), ctx)] if m else None


def _handle(ctx: Context) -> list[str] | None:
    m = re.fullmatch(r"@(\w+)", ctx.core)
    return ["at", *spell_address(m[1], ctx)] if m else None


def _phone(ctx: Context) -> list[str] | None:
    """ "555-123-4567", "(555) 123-4567", "+1 555 123 4567", "1-800-555-0199": digit groups."""
    core = ctx.core
    grouped = re.fullmatch(r"\+?\d{1,4}(?:[-.]\d{2,4}){2,4}|\d{3}-\d{4}", core)
    area = re.fullmatch(r"\(\d{3}\)", core)
    tail = re.fullmatch(r"\d{3}-\d{4}", core) and re.fullmatch(r"\(\d{3}\)", ctx.near(-1))
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{2,4}", core):
        return None  # a date or a range, not a phone number
    if not (grouped or area or tail):
        return None
    out: list[str] = []
    for group in re.findall(r"\+|\d+", core):
        out.extend(["plus"] if group == "+" else digits(group))
    return out


def _version(ctx: Context) -> list[str] | None:
    """ "3.11.4" -> three point eleven point four; "v2.0" -> version two point oh."""
    m = re.fullmatch(r"(v|ver\.?)?(\d+(?:\.\d+){1,3})", ctx.core, re.I)
    if not m or (not m[1] and m[2].count(".") < 2):
        return None
    out = ["version"] if m[1] else []
    for k, part in enumerate(m[2].split(".")):
        out += (["point"] if k else []) + (["oh"] if part == "0" and k else cardinal(part))
    return out


def _word_number(ctx: Context) -> list[str] | None:
    """ "COVID-19", "Boeing-747", "F-16": a name and a number."""
    m = re.fullmatch(r"([A-Za-z]+)-(\d+)", ctx.core)
    if not m:
        return None
    return [*read_part(ctx, m[1]), *cardinal(m[2])]


RULES = (_email, _url, _hashtag, _handle, _phone, _version, _word_number)
