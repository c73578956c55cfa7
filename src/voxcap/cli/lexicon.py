"""``voxcap lexicon add|list|remove|import|export``: pronunciation lexicons (voxcap.lexicons)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from voxcap.cli.app import guarded, out, runtime
from voxcap.errors import InvalidInput

lexicon_app = typer.Typer(
    help="Pronunciation lexicons: how words are said (--lexicon NAME; 'default' applies to "
    "every narration, one named after a library voice to that voice's).",
    no_args_is_help=True,
)
Name = Annotated[str, typer.Argument(help="The lexicon: a slug (default, or a voice's name).")]


@lexicon_app.command("add")
def add(
    name: Name,
    grapheme: Annotated[str, typer.Argument(help="The word (or words) as written.")],
    alias: Annotated[str | None, typer.Option(help="Words said instead: 'Nyke'.")] = None,
    ipa: Annotated[str | None, typer.Option(help="The pronunciation in IPA: 'naɪki'.")] = None,
) -> None:
    """Say GRAPHEME as ALIAS and/or IPA (a grapheme already there is said anew)."""

    def run() -> None:
        from voxcap.domain import Pronunciation

        lexicon = runtime().lexicons.add(name, [Pronunciation(grapheme, alias, ipa)])
        out.print(f"lexicon {name!r}: {grapheme!r} added ({len(lexicon.entries)} entries)")

    guarded(run)


@lexicon_app.command("list")
def list_lexicons(
    name: Annotated[str | None, typer.Argument(help="One lexicon's entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The lexicons in the store, or one lexicon's entries."""

    def run() -> None:
        lexicons = runtime().lexicons
        if name is not None:
            entries = lexicons.get(name).entries
            if as_json:
                out.print_json(json.dumps([asdict(e) for e in entries]))
                return
            table = Table("grapheme", "alias", "ipa")
            for e in entries:
                table.add_row(e.grapheme, e.alias or "", e.ipa or "")
            out.print(table)
            return
        found = lexicons.list()
        if as_json:
            out.print_json(json.dumps([{"name": x.name, "entries": len(x.entries)} for x in found]))
            return
        table = Table("lexicon", "entries", "changed")
        for x in found:
            table.add_row(x.name, str(len(x.entries)), x.created)
        out.print(table)

    guarded(run)


@lexicon_app.command("remove")
def remove(
    name: Name,
    graphemes: Annotated[
        list[str] | None, typer.Argument(help="Entries to remove (none: the whole lexicon).")
    ] = None,
) -> None:
    """Remove entries from a lexicon, or the whole lexicon."""

    def run() -> None:
        lexicons = runtime().lexicons
        if graphemes:
            left = lexicons.remove(name, graphemes)
            out.print(f"lexicon {name!r}: {len(graphemes)} removed, {len(left.entries)} left")
        else:
            lexicons.delete(name)
            out.print(f"removed lexicon {name!r}")

    guarded(run)


@lexicon_app.command("import")
def import_file(
    name: Name,
    file: Annotated[Path, typer.Argument(help="A W3C PLS (.pls) or TSV file.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="The lexicon holds this file's entries only.")
    ] = False,
) -> None:
    """Add a PLS or TSV file's entries to a lexicon (made if new)."""

    def run() -> None:
        from voxcap.lexicons import parse

        try:
            data = file.expanduser().read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
        entries = parse(data, file.name)
        lexicon = runtime().lexicons.add(name, entries, replace=replace)
        out.print(f"lexicon {name!r}: {len(entries)} imported, {len(lexicon.entries)} in all")

    guarded(run)


@lexicon_app.command("export")
def export(
    name: Name,
    file: Annotated[Path | None, typer.Argument(help="Where to write (default: stdout).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="pls or tsv (default: by FILE's suffix, pls).")
    ] = None,
) -> None:
    """Write a lexicon as W3C PLS or TSV."""

    def run() -> None:
        from voxcap.lexicons import FORMATS

        chosen = fmt or (file.suffix.lstrip(".").lower() if file is not None else "pls")
        if chosen not in FORMATS:
            raise InvalidInput(f"--format {chosen!r}: pls or tsv")
        text = FORMATS[chosen](runtime().lexicons.get(name).entries)
        if file is None:
            typer.echo(text, nl=False)  # as it is: rich would expand the TSV's tabs
            return
        try:
            file.expanduser().write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write {file}: {exc.strerror}") from None
        out.print(f"wrote {file}")

    guarded(run)
