"""The ``voxcap`` command line: thin faces over the core (typer + rich)."""

from __future__ import annotations

import sys

# typer (>= 0.29) carries its own copy of click: its usage errors are these
from typer import Abort
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from voxcap.cli.align import align
from voxcap.cli.app import app, err, say_error
from voxcap.cli.brands import brands_app
from voxcap.cli.captions import app as captions_app
from voxcap.cli.doctor import doctor
from voxcap.cli.lexicon import lexicon_app
from voxcap.cli.models import models_app
from voxcap.cli.serve import serve, worker
from voxcap.cli.speak import speak
from voxcap.cli.spoken import spoken
from voxcap.cli.voices import voices_app
from voxcap.logs import configure

app.command()(speak)
app.command()(align)
app.command()(spoken)
app.command()(doctor)
app.command()(serve)
app.command()(worker)
app.add_typer(voices_app, name="voices")
app.add_typer(models_app, name="models")
app.add_typer(captions_app, name="captions")
app.add_typer(brands_app, name="brands")
app.add_typer(lexicon_app, name="lexicon")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``voxcap`` script."""
    from voxcap.settings import Settings

    try:
        level = Settings().log_level
    except Exception:  # noqa: BLE001 - bad settings are reported by the command itself
        level = "WARNING"
    configure(level)
    sys.exit(run_app())


def run_app(args: list[str] | None = None) -> int:
    """Run the app; a bad option or argument is one line, ``error (invalid_input): ...``,
    and exit code 2, like every other bad input (not click's usage box)."""
    try:
        code = app(args=args, standalone_mode=False)
    except NoArgsIsHelpError as exc:  # the help, as click gives it
        err.print(exc.format_message(), highlight=False, markup=False)
        return exc.exit_code
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "voxcap"
        message = exc.format_message().replace("\n", " ").replace("Value error, ", "")
        say_error("invalid_input", f"{message} (see `{where} --help`)")
        return 2
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except Abort:
        err.print("aborted")
        return 1
    return code if isinstance(code, int) else 0
