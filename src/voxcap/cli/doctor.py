"""``voxcap doctor``: a pass/fail table of what voxcap needs, with fixes."""

from __future__ import annotations

import typer
from rich.table import Column, Table

from voxcap.cli.app import guarded, out, runtime


def doctor() -> None:
    """Check settings, storage round trip, disk, models, tools and GPU."""
    from voxcap.doctor import run_checks

    checks = guarded(lambda: run_checks(runtime()))
    table = Table(
        "check", "", Column("details", overflow="fold"), Column("fix", overflow="fold")
    )  # paths wrap instead of being cut at the terminal's width
    for check in checks:
        mark = "[green]pass[/]" if check.ok else "[red]FAIL[/]"
        table.add_row(check.name, mark, check.detail, "" if check.ok else check.fix)
    out.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
