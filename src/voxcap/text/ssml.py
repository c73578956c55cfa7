"""An SSML subset: a text that starts with ``<speak>`` is markup, any other text is plain.

Supported: ``<break time|strength>``, ``<say-as interpret-as="characters|spell-out|cardinal|
number|ordinal|date|telephone|verbatim">``, ``<sub alias>``, ``<phoneme alphabet="ipa" ph>``,
``<prosody rate>``, ``<p>``, ``<s>``. The captions show the text content only; the markup
becomes a :class:`~voxcap.text.direction.Direction`. Anything else (another tag or attribute,
a DOCTYPE, an entity declaration, a malformed document) is :class:`~voxcap.errors.InvalidInput`
naming the line, column and tag, before any work. The parser is expat with DTDs refused, so no
entity is ever expanded beyond XML's own five and no external resource is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat

from voxcap.errors import InvalidInput
from voxcap.text import numbers
from voxcap.text.acronyms import letters
from voxcap.text.direction import Direction, Say
from voxcap.text.words import SYMBOLS

MAX_BYTES = 1_000_000  # markup; the text inside is bounded as any text is
STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.2, "medium": 0.4, "strong": 0.7, "x-strong": 1.2}
MAX_BREAK = 10.0  # seconds, as the W3C recommends engines allow at least
RATES = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.5}
PARAGRAPH_PAUSE = 0.6
_TIME_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s)")
_ALLOWED = {
    "speak": {"version", "xmlns", "xml:lang", "xmlns:xsi", "xsi:schemaLocation"},
    "break": {"time", "strength"},
    "say-as": {"interpret-as", "format", "detail"},
    "sub": {"alias"},
    "phoneme": {"alphabet", "ph"},
    "prosody": {"rate"},
    "p": {"xml:lang"},
    "s": {"xml:lang"},
}
_LEAVES = {"say-as", "sub", "phoneme"}  # hold text only
# expat's errors for a bare & or <
_TOKEN = {expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]}
_TOKEN.add(expat.errors.codes[expat.errors.XML_ERROR_SYNTAX])


def is_ssml(text: str) -> bool:
    """Whether ``text`` is SSML: it starts (after white space) with a ``<speak>`` element."""
    return re.match(r"\s*<speak[\s>/]", text) is not None


def refuse_dtds(parser: Any, fail: Callable[[str], NoReturn]) -> None:
    """Make an expat ``parser`` fail on any DOCTYPE or entity declaration: no entity beyond
    XML's own five is ever expanded (no "billion laughs") and nothing outside is read."""
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = lambda *_: fail("a DOCTYPE is not allowed")
    parser.EntityDeclHandler = lambda *_: fail("entity declarations are not allowed")
    parser.ExternalEntityRefHandler = lambda *_: fail("external entities are not allowed")


@dataclass(frozen=True, slots=True)
class Marked:
    """An SSML document read: ``text``, what the captions show, and how it is directed."""

    text: str
    direction: Direction


@dataclass
class _Run:
    tag: str
    start: int  # where its text starts in the output
    at: str  # "line L, column C"
    attrs: dict[str, str] = field(default_factory=dict)
    rate: float = 1.0  # a <prosody>'s, read where it opens


def parse(markup: str, read: Callable[[str], list[str]]) -> Marked:
    """Read SSML. ``read`` gives the spoken tokens of a plain text (the reading rules), for
    ``<sub>`` aliases and ``<say-as>`` numbers and dates.

    Raises:
        InvalidInput: malformed or unsupported markup, naming where and which tag.
    """
    if len(markup.encode("utf-8")) > MAX_BYTES:
        raise InvalidInput(f"the SSML is over {MAX_BYTES // 1000} kB")
    return _Reader(read).run(markup)


class _Reader:
    def __init__(self, read: Callable[[str], list[str]]) -> None:
        self.read = read
        self.parser = expat.ParserCreate()
        self.out: list[str] = []
        self.size = 0
        self.stack: list[_Run] = []
        self.spans: list[tuple[int, int, _Run]] = []  # (start, end, element) of leaves
        self.rates: list[tuple[int, int, float]] = []
        self.breaks: list[tuple[int, float]] = []
        self.ends: list[int] = []
        self.paragraphs: list[int] = []

    # ---------------------------------------------------------------- expat
    def run(self, markup: str) -> Marked:
        p = self.parser
        refuse_dtds(p, self.fail)
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.data
        try:
            p.Parse(markup, True)
        except expat.ExpatError as exc:
            hint = " (in SSML, write & as &amp; and < as &lt;)" if exc.code in _TOKEN else ""
            raise InvalidInput(
                f"SSML line {exc.lineno}, column {exc.offset + 1}: "
                f"{expat.ErrorString(exc.code)}{hint}"
            ) from None
        return self.marked()

    def where(self) -> str:
        return f"line {self.parser.CurrentLineNumber}, column {self.parser.CurrentColumnNumber + 1}"

    def fail(self, message: str) -> NoReturn:
        raise InvalidInput(f"SSML {self.where()}: {message}")

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag not in _ALLOWED:
            self.fail(f"<{tag}> is not supported (voxcap reads {', '.join(_ALLOWED)})")
        if (tag == "speak") != (not self.stack):
            self.fail("<speak> must be the one outermost element")
        if self.stack and self.stack[-1].tag in _LEAVES:
            self.fail(f"<{tag}> inside <{self.stack[-1].tag}>: it holds text only")
        unknown = set(attrs) - _ALLOWED[tag]
        if unknown:
            self.fail(f"<{tag}> has no attribute {', '.join(sorted(unknown))}")
        run = _Run(tag, self.size, self.where(), attrs)
        getattr(self, f"open_{tag.replace('-', '_')}", _nothing)(run)
        self.stack.append(run)

    def end(self, tag: str) -> None:
        run = self.stack.pop()
        if tag in _LEAVES:
            self.spans.append((run.start, self.size, run))
        elif tag == "prosody":
            self.rates.append((run.start, self.size, run.rate))
        elif tag in {"p", "s"}:
            self.ends.append(self.size)
            if tag == "p":
                self.paragraphs.append(self.size)
        self.emit(" " if tag in {"p", "s"} else "")

    def data(self, text: str) -> None:
        self.emit(text)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text)

    # ---------------------------------------------------------------- elements
    def open_break(self, run: _Run) -> None:
        time, strength = run.attrs.get("time"), run.attrs.get("strength")
        if time is not None:
            m = _TIME_RE.fullmatch(time.strip())
            if m is None:
                self.fail(f'<break time="{time}">: give a time such as "500ms" or "1.5s"')
            seconds = float(m[1]) / (1000 if m[2] == "ms" else 1)
            if seconds > MAX_BREAK:
                self.fail(f"<break> of {seconds:g} s: the longest is {MAX_BREAK:g} s")
        else:
            strength = strength or "medium"
            if strength not in STRENGTHS:
                self.fail(f'<break strength="{strength}">: one of {", ".join(STRENGTHS)}')
            seconds = STRENGTHS[strength]
        self.breaks.append((self.size, seconds))
        self.emit(" ")

    def open_sub(self, run: _Run) -> None:
        if not run.attrs.get("alias", "").strip():
            self.fail("<sub> needs an alias")

    def open_phoneme(self, run: _Run) -> None:
        alphabet = run.attrs.get("alphabet", "")
        if alphabet != "ipa":
            self.fail(f'<phoneme alphabet="{alphabet}">: voxcap reads alphabet="ipa" only')
        if not any(c.isalpha() for c in run.attrs.get("ph", "")):
            self.fail("<phoneme> needs ph, the pronunciation in IPA")

    def open_say_as(self, run: _Run) -> None:
        kind = run.attrs.get("interpret-as", "")
        if kind not in _SAY_AS:
            self.fail(f'<say-as interpret-as="{kind}">: one of {", ".join(_SAY_AS)}')

    def open_prosody(self, run: _Run) -> None:
        run.rate = self.rate(run)  # checked where it opens

    def rate(self, run: _Run) -> float:
        value = run.attrs.get("rate", "medium").strip()
        if value in RATES:
            return RATES[value]
        m = re.fullmatch(r"([+-]?)(\d+(?:\.\d+)?)%", value)
        if m is None:
            raise InvalidInput(
                f'SSML {run.at}: <prosody rate="{value}">: one of {", ".join(RATES)} or a '
                'percentage ("80%", "+10%")'
            )
        number = float(m[2]) / 100
        rate = 1 + number if m[1] == "+" else 1 - number if m[1] == "-" else number
        if not 0.5 <= rate <= 2.0:
            raise InvalidInput(f'SSML {run.at}: <prosody rate="{value}">: between 50% and 200%')
        return rate

    # ---------------------------------------------------------------- result
    def marked(self) -> Marked:
        text = "".join(self.out)
        starts = [m.start() for m in re.finditer(r"\S+", text)]

        def words_in(a: int, b: int) -> list[int]:
            return [i for i, s in enumerate(starts) if a <= s < b]

        def before(at: int) -> int | None:
            found = [i for i, s in enumerate(starts) if s < at]
            return found[-1] if found else None

        say: dict[int, Say] = {}
        for a, b, run in self.spans:
            covered = words_in(a, b)
            if not covered:
                continue
            written = " ".join(text[starts[i] :].split(maxsplit=1)[0] for i in covered)
            say[covered[0]] = self.say(run, written, len(covered))
        rates: dict[int, float] = {}
        for a, b, rate in sorted(self.rates, key=lambda r: r[1] - r[0], reverse=True):
            for i in words_in(a, b):
                rates[i] = rates.get(i, 1.0) * rate  # nested: times the outer rate
        pauses: dict[int, float] = {}
        for at, seconds in [*self.breaks, *((p, PARAGRAPH_PAUSE) for p in self.paragraphs)]:
            word = before(at)
            if word is not None:
                pauses[word] = max(pauses.get(word, 0.0), seconds)
        ends = {i for i in map(before, self.ends) if i is not None}
        rates = {i: r for i, r in rates.items() if r != 1.0}
        # the words as written, without the markup's line breaks and indents
        return Marked(" ".join(text.split()), Direction(say, pauses, rates, frozenset(ends)))

    def say(self, run: _Run, written: str, span: int) -> Say:
        source = f"<{run.tag}> at {run.at}"
        if run.tag == "sub":
            return Say(tuple(self.read(run.attrs["alias"])), None, span, source)
        if run.tag == "phoneme":
            return Say(tuple(self.read(written)), run.attrs["ph"].strip(), span, source)
        kind = run.attrs["interpret-as"]
        try:
            tokens = _SAY_AS[kind](written, self.read)
        except InvalidInput as exc:
            raise InvalidInput(f"SSML {run.at}: {exc}") from None
        if not tokens:
            raise InvalidInput(f'SSML {run.at}: <say-as interpret-as="{kind}"> of {written!r}')
        return Say(tuple(tokens), None, span, source)


def _nothing(run: _Run) -> None:
    return None


def _characters(text: str, read: Callable[[str], list[str]]) -> list[str]:
    out: list[str] = []
    for c in text:
        if c.isdigit():
            out.append(numbers.DIGITS[int(c)])
        elif c.isalpha():
            out.extend(letters(c.upper()))
    return out


def _verbatim(text: str, read: Callable[[str], list[str]]) -> list[str]:
    out: list[str] = []
    for c in text:
        if c in SYMBOLS:
            out.append(SYMBOLS[c])
        elif c in _MARKS:
            out.extend(_MARKS[c].split())
        else:
            out.extend(_characters(c, read))
    return out


def _cardinal(text: str, read: Callable[[str], list[str]]) -> list[str]:
    plain = text.strip().rstrip(".,;:!?")
    if not re.fullmatch(numbers.NUM, plain):
        raise InvalidInput(f'<say-as interpret-as="cardinal">: {text!r} is not a whole number')
    return numbers.cardinal(plain)


def _ordinal(text: str, read: Callable[[str], list[str]]) -> list[str]:
    plain = re.sub(r"(st|nd|rd|th)$", "", text.strip().rstrip(".,;:!?"))
    if not re.fullmatch(numbers.NUM, plain):
        raise InvalidInput(f'<say-as interpret-as="ordinal">: {text!r} is not a whole number')
    return numbers.ordinal(plain.replace(",", ""))


def _telephone(text: str, read: Callable[[str], list[str]]) -> list[str]:
    out: list[str] = []
    for c in text:
        if c.isdigit():
            out.append(numbers.DIGITS[int(c)])
        elif c == "+":
            out.append("plus")
    return out


def _read(text: str, read: Callable[[str], list[str]]) -> list[str]:
    return read(text)


_MARKS = {".": "dot", ",": "comma", "-": "dash", "_": "underscore", ":": "colon", "!": "bang"}
_MARKS |= {"?": "question mark", "'": "apostrophe", "*": "star", "\\": "backslash"}
_SAY_AS: dict[str, Callable[[str, Callable[[str], list[str]]], list[str]]] = {
    "characters": _characters,
    "spell-out": _characters,
    "verbatim": _verbatim,
    "cardinal": _cardinal,
    "number": _cardinal,
    "ordinal": _ordinal,
    "date": _read,
    "telephone": _telephone,
}
