"""The ``voxcap`` command line: thin faces over the core (typer + rich)."""

from __future__ import annotations

from voxcap.cli.align import align
from voxcap.cli.app import app
from voxcap.cli.brands import brands_app
from voxcap.cli.captions import app as captions_app
from voxcap.cli.doctor import doctor
from voxcap.cli.models import models_app
from voxcap.cli.serve import serve, worker
from voxcap.cli.speak import speak
from voxcap.cli.voices import voices_app
from voxcap.logs import configure

app.command()(speak)
app.command()(align)
app.command()(doctor)
app.command()(serve)
app.command()(worker)
app.add_typer(voices_app, name="voices")
app.add_typer(models_app, name="models")
app.add_typer(captions_app, name="captions")
app.add_typer(brands_app, name="brands")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``voxcap`` script."""
    from voxcap.settings import Settings

    try:
        level = Settings().log_level
    except Exception:  # noqa: BLE001 - bad settings are reported by the command itself
        level = "WARNING"
    configure(level)
    app()
