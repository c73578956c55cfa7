"""Pronunciation lexicons: how a word is said, kept in the store beside the voices.

An entry maps a *grapheme* (a word, or a few, as written) to an *alias* (words said instead,
"Nyke") and/or a *phoneme* string in IPA. Lexicons come as W3C PLS files or two-column TSV
(``grapheme<TAB>alias``, or ``grapheme<TAB>/ipa/``) and live in the store as
``lexicons/NAME.json``. Which apply to a request, the first one that knows a word winning:

1. the ones the request names (``--lexicon NAME|FILE``, ``"lexicons": [...]``);
2. the one named after the request's library voice (a voice's own lexicon);
3. the one named ``default`` (project-wide).

A lexicon changes what is *said*: captions keep the written word and the word map stays
exact. Phonemes go to engines that take them (Piper); the others say the alias.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import NoReturn
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from voxcap.domain import MAX_GRAPHEME_WORDS, Pronunciation
from voxcap.errors import InvalidInput, LexiconNotFound, ObjectNotFound
from voxcap.storage import Store, keys
from voxcap.text.context import split
from voxcap.text.direction import Say, merged
from voxcap.text.ssml import refuse_dtds

MAX_BYTES = 1_000_000
MAX_ENTRIES = 20_000
PROJECT = "default"
PREFIX = "lexicons/"
PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A named list of entries."""

    name: str
    entries: tuple[Pronunciation, ...] = ()
    created: str = ""
    _index: dict[tuple[str, ...], Pronunciation] = field(
        default_factory=dict, compare=False, repr=False
    )

    def says(self, words: Sequence[str], read: Callable[[str], list[str]]) -> dict[int, Say]:
        """How the words of a text this lexicon knows are said, by word index: the longest
        grapheme first, its exact spelling before any case."""
        if not self._index:
            for entry in self.entries:
                graphemes = tuple(entry.grapheme.split())
                self._index.setdefault(graphemes, entry)
                self._index.setdefault(tuple(c.casefold() for c in graphemes), entry)
        cores = [split(w).core for w in words]
        said: dict[int, Say] = {}
        i = 0
        while i < len(words):
            for n in range(min(MAX_GRAPHEME_WORDS, len(words) - i), 0, -1):
                key = tuple(cores[i : i + n])
                found = self._index.get(key) or self._index.get(tuple(c.casefold() for c in key))
                if found is not None:
                    entry = found
                    tokens = tuple(read(entry.alias)) if entry.alias else ()
                    source = f"lexicon {self.name!r} ({entry.grapheme})"
                    said[i] = Say(tokens, entry.ipa, n, source)
                    i += n
                    break
            else:
                i += 1
        return said


def says(
    lexicons: Iterable[Lexicon], words: Sequence[str], read: Callable[[str], list[str]]
) -> dict[int, Say]:
    """What ``lexicons`` say of ``words``, the first lexicon that knows a word winning."""
    said: dict[int, Say] = {}
    for lexicon in lexicons:
        said = merged(said, lexicon.says(words, read))
    return said


# ---------------------------------------------------------------- files
def parse(data: bytes | str, name: str = "") -> list[Pronunciation]:
    """Entries from a PLS document or a TSV file (told apart by a leading ``<``).

    Raises:
        InvalidInput: too large, malformed, an alphabet other than IPA, or no entries.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"lexicon {name or ''} is over {MAX_BYTES // 1_000_000} MB".strip())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("a lexicon is UTF-8 text: PLS (XML) or TSV") from None
    entries = _pls(text) if text.lstrip().startswith("<") else _tsv(text)
    if not entries:
        raise InvalidInput("the lexicon has no entries")
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"a lexicon holds at most {MAX_ENTRIES} entries, not {len(entries)}")
    return entries


def _tsv(text: str) -> list[Pronunciation]:
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
            raise InvalidInput(
                f"lexicon line {n}: give 'grapheme<TAB>alias' or 'grapheme<TAB>/ipa/'"
            )
        grapheme, said = cells[0].strip(), cells[1].strip()
        ipa = said[1:-1] if len(said) > 2 and said[0] == said[-1] == "/" else None
        entries.append(Pronunciation(grapheme, None if ipa else said, ipa))
    return entries


def _pls(text: str) -> list[Pronunciation]:
    parser = expat.ParserCreate(namespace_separator=" ")
    entries: list[Pronunciation] = []
    stack: list[str] = []
    lexeme: dict[str, list[str]] = {}
    chars: list[str] = []
    alphabet = ["ipa"]

    def where() -> str:
        return f"PLS line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"

    def fail(message: str) -> NoReturn:
        raise InvalidInput(f"{where()}: {message}")

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.split(" ")[-1]
        if not stack and local != "lexicon":
            fail(f"a PLS document's root is <lexicon>, not <{local}>")
        if local == "lexicon":
            alphabet[0] = attrs.get("alphabet", "ipa")
        if local in {"lexicon", "phoneme"} and attrs.get("alphabet", alphabet[0]) != "ipa":
            fail(f'alphabet "{attrs.get("alphabet", alphabet[0])}": voxcap reads "ipa" only')
        if local == "lexeme":
            lexeme.clear()
        stack.append(local)
        chars.clear()

    def end(tag: str) -> None:
        local = stack.pop()
        if local in {"grapheme", "alias", "phoneme"}:
            lexeme.setdefault(local, []).append(" ".join("".join(chars).split()))
        if local == "lexeme":
            if not lexeme.get("grapheme"):
                fail("a <lexeme> needs a <grapheme>")
            alias = next(iter(lexeme.get("alias", [])), None)
            ipa = next(iter(lexeme.get("phoneme", [])), None)
            try:
                entries.extend(Pronunciation(g, alias, ipa) for g in lexeme["grapheme"])
            except InvalidInput as exc:
                fail(str(exc))
        chars.clear()

    refuse_dtds(parser, fail)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars.append
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise InvalidInput(
            f"PLS line {exc.lineno}, column {exc.offset + 1}: {expat.ErrorString(exc.code)}"
        ) from None
    return entries


def to_pls(entries: Iterable[Pronunciation]) -> str:
    """Entries as a PLS 1.0 document."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<lexicon version="1.0" xmlns={quoteattr(PLS_NS)} alphabet="ipa" xml:lang="en-US">',
    ]
    for e in entries:
        lines.append(f"  <lexeme><grapheme>{escape(e.grapheme)}</grapheme>")
        if e.ipa:
            lines.append(f"    <phoneme>{escape(e.ipa)}</phoneme>")
        if e.alias:
            lines.append(f"    <alias>{escape(e.alias)}</alias>")
        lines.append("  </lexeme>")
    lines.append("</lexicon>")
    return "\n".join(lines) + "\n"


def to_tsv(entries: Iterable[Pronunciation]) -> str:
    """Entries as TSV (an entry with both keeps its phonemes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    for e in entries:
        writer.writerow([e.grapheme, f"/{e.ipa}/" if e.ipa else e.alias])
    return buffer.getvalue()


FORMATS: dict[str, Callable[[Iterable[Pronunciation]], str]] = {"pls": to_pls, "tsv": to_tsv}


# ---------------------------------------------------------------- the store
class Lexicons:
    """The lexicons kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, name: str, entries: Iterable[Pronunciation], replace: bool = False) -> Lexicon:
        """Add ``entries`` to lexicon ``name`` (made if new): a grapheme it has is said anew.
        With ``replace``, the lexicon holds ``entries`` only.

        Raises:
            InvalidVoiceName: the name is not a slug. InvalidInput: too many entries.
        """
        keys.voice_name(name)
        old = () if replace or not self.exists(name) else self.get(name).entries
        merged = {e.grapheme: e for e in (*old, *entries)}
        if len(merged) > MAX_ENTRIES:
            raise InvalidInput(f"a lexicon holds at most {MAX_ENTRIES} entries")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        lexicon = Lexicon(name, tuple(merged.values()), created)
        self._put(lexicon)
        return lexicon

    def remove(self, name: str, graphemes: Sequence[str]) -> Lexicon:
        """Lexicon ``name`` without ``graphemes``. Raises LexiconNotFound, InvalidInput (a
        grapheme it does not have)."""
        lexicon = self.get(name)
        missing = set(graphemes) - {e.grapheme for e in lexicon.entries}
        if missing:
            raise InvalidInput(f"lexicon {name!r} has no {', '.join(sorted(missing))}")
        kept = tuple(e for e in lexicon.entries if e.grapheme not in graphemes)
        lexicon = Lexicon(name, kept, lexicon.created)
        self._put(lexicon)
        return lexicon

    def exists(self, name: str) -> bool:
        return self.store.exists(_key(keys.voice_name(name)))

    def get(self, name: str) -> Lexicon:
        """Lexicon ``name``. Raises LexiconNotFound."""
        keys.voice_name(name)
        try:
            data = json.loads(self.store.get(_key(name)))
        except ObjectNotFound:
            raise LexiconNotFound(f"no lexicon named {name!r} (voxcap lexicon list)") from None
        entries = tuple(Pronunciation(**e) for e in data["entries"])
        return Lexicon(data["name"], entries, data["created"])

    def list(self) -> builtins.list[Lexicon]:
        names = sorted(k.removeprefix(PREFIX).removesuffix(".json") for k in self._keys())
        return [self.get(n) for n in names]

    def delete(self, name: str) -> None:
        """Remove lexicon ``name``. Raises LexiconNotFound."""
        self.get(name)
        self.store.delete(_key(name))

    def for_request(self, names: Sequence[str], voice: str | None) -> builtins.list[Lexicon]:
        """The lexicons a request uses, in order: those it names, its voice's, the project's.
        Raises LexiconNotFound for a named one that is not kept."""
        chosen = [self.get(n) for n in names]
        for implied in (voice, PROJECT):
            if implied and re.fullmatch(keys.VOICE_NAME.pattern, implied):
                if implied not in names and self.exists(implied):
                    chosen.append(self.get(implied))
        return chosen

    def _put(self, lexicon: Lexicon) -> None:
        data = {
            "name": lexicon.name,
            "entries": [asdict(e) for e in lexicon.entries],
            "created": lexicon.created,
        }
        self.store.put(_key(lexicon.name), json.dumps(data).encode(), "application/json")

    def _keys(self) -> builtins.list[str]:
        return [k for k in self.store.list(PREFIX) if k.endswith(".json")]


def _key(name: str) -> str:
    return f"{PREFIX}{name}.json"
