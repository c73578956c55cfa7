"""``voxcap models``: fetch model weights ahead of time, and show what is cached where."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from voxcap.cli.app import err, guarded, out, runtime

models_app = typer.Typer(help="Model weights: download and list.", no_args_is_help=True)


class Which(StrEnum):
    f5 = "f5"
    ctc = "ctc"
    asr = "asr"
    all = "all"


@models_app.command()
def download(
    which: Annotated[Which, typer.Argument(help="f5, ctc, asr or all.")] = Which.all,
) -> None:
    """Fetch weights into the cache (VOXCAP_MODEL_DIR, else HF_HOME / TORCH_HOME)."""

    def run() -> None:
        from voxcap import models

        settings = runtime().settings
        for name in models.names(which.value):
            err.print(f"[bold]{name}[/]: fetching what is not cached yet")
            for role, path in models.download(name, settings).items():
                out.print(f"{name} {role}: {path}", soft_wrap=True, highlight=False)

    guarded(run)


@models_app.command("list")
def list_models() -> None:
    """Every weight file voxcap uses: cached or missing, where, and its size."""

    def run() -> None:
        from voxcap import models

        table = Table("model", "file", "state", "where", "MB")
        settings = runtime().settings
        for row in models.status(settings):
            state = "[green]cached[/]" if row.path else "[red]missing[/]"
            where = str(row.path or row.folder)
            table.add_row(row.model, row.name, state, where, f"{row.bytes / 1e6:,.1f}")
        out.print(table, soft_wrap=True)

    guarded(run)
