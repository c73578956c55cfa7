"""The typer app, consoles, and the error boundary every command runs inside."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from voxcap.errors import VoxcapError

if TYPE_CHECKING:
    from voxcap.runtime import Runtime


def _flag_without_type(
    display: Callable[[Any, Any], str | None],
) -> Callable[[Any, Any], str | None]:
    """typer 0.29 prints ``<bool>`` after every flag (``--json <bool>``): a flag takes no
    value, so it shows none."""

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else display(self, ctx)

    return display_type_rich


typer.core.TyperOption.display_type_rich = _flag_without_type(  # type: ignore[method-assign,assignment]
    typer.core.TyperOption.display_type_rich
)

app = typer.Typer(
    help="voxcap: narration in a (cloned) voice with word-exact captions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()
log = logging.getLogger("voxcap.cli")
T = TypeVar("T")


def guarded(run: Callable[[], T]) -> T:
    """Run a command body: a VoxcapError becomes one line on stderr and its exit code; anything
    else is logged with its traceback and exits 1."""
    try:
        return run()
    except VoxcapError as exc:
        say_error(exc.code, exc.message)
        raise typer.Exit(exc.exit_code) from None
    except typer.Exit:  # a command that has said why it stops
        raise
    except Exception:
        log.exception("unexpected failure")
        err.print("[bold red]error[/] (internal_error): unexpected failure; see the log above")
        raise typer.Exit(1) from None


def say_error(code: str, message: str) -> None:
    """The one-line error of docs/CLI.md on stderr: ``error (code): message``, the message as
    written (``voxcap[f5]`` is no markup)."""
    err.print(f"[bold red]error[/] ({code}): {escape(message)}", highlight=False, soft_wrap=True)


def comma_list(value: str | None) -> tuple[str, ...]:
    """The items of a comma-separated option ("GlowCut, free"), stripped; () for none."""
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def runtime(**overrides: Any) -> Runtime:
    """The runtime from VOXCAP_* settings, with command-line ``overrides`` (None = unset)."""
    from voxcap.runtime import Runtime
    from voxcap.settings import Settings

    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:  # pydantic's ValidationError
        from voxcap.errors import InvalidInput

        raise InvalidInput(f"bad VOXCAP_* setting: {exc}".replace("\n", " ")) from None
    return Runtime(settings)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[Any], None]]:
    """A rich progress bar per pipeline stage, on stderr; yields the pipeline listener."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not enabled or not err.is_terminal,  # no bar (nor its blank line) in logs
    )
    tasks: dict[str, Any] = {}

    def listener(event: Any) -> None:
        if event.stage not in tasks:
            tasks[event.stage] = bar.add_task(event.stage, total=1.0)
        done = event.fraction >= 1.0  # a finished stage says so, in words and in green
        label = f"[green]{event.stage} ✓[/]" if done else event.stage
        bar.update(tasks[event.stage], completed=event.fraction, description=label)

    with bar:
        yield listener
