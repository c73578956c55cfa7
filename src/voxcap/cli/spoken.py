"""``voxcap spoken``: how a script will be read, word by word, before any synthesis."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Column, Table

from voxcap.cli.app import guarded, out
from voxcap.cli.common import read_text
from voxcap.cli.options import AsJson, TextFile


def spoken(
    text: Annotated[str | None, typer.Argument(help="The script (or use --text-file).")] = None,
    text_file: TextFile = None,
    language: Annotated[
        str | None, typer.Option(help="The script's language (ISO 639-1); default: its own.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show how a script will be read: each written word and what is said for it."""

    def run() -> None:
        from voxcap.text.preview import spoken as preview

        words = preview(read_text(text, text_file), language)
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "language": "en",
                        "words": [
                            {"written": w.written, "spoken": " ".join(w.spoken), "index": w.index}
                            for w in words
                        ],
                    }
                )
            )
            return
        table = Table("written", Column("spoken", overflow="fold"), box=None)
        for word in words:
            table.add_row(word.written, " ".join(word.spoken) or "[dim](not said)[/]")
        out.print(table)

    guarded(run)
