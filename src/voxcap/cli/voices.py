"""``voxcap voices add|list|show|rename|rm``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from voxcap.cli.app import err, guarded, out, runtime
from voxcap.errors import InvalidInput, VoxcapError

if TYPE_CHECKING:
    from voxcap.runtime import Runtime

voices_app = typer.Typer(help="The voice library: reference clips to clone.", no_args_is_help=True)


@voices_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A slug: lower-case letters, digits, - and _.")],
    audio: Annotated[str, typer.Argument(help="A clip: file path or https URL.")],
    transcript: Annotated[str | None, typer.Option(help="What the clip says.")] = None,
    transcript_file: Annotated[
        Path | None, typer.Option(help="A .txt, .srt, .vtt or .csv transcript.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite an existing voice.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a voice from a clip (1-30 s of speech after trimming silence)."""

    def run() -> None:
        from voxcap.transcripts import transcript_text

        if transcript is not None and transcript_file is not None:
            raise InvalidInput("give --transcript or --transcript-file, not both")
        text = transcript or ""
        if transcript_file is not None:
            try:
                data = transcript_file.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read {transcript_file}: {exc.strerror}") from None
            text = transcript_text(data, transcript_file.name)
        rt = runtime()
        voice = rt.voices.add_from(name, audio, text, replace=replace)
        if not voice.transcript:
            _warn_untranscribed(rt, voice.name)
        if as_json:
            out.print_json(json.dumps(asdict(voice)))
        else:
            out.print(f"added voice {voice.name!r}: {voice.duration:.1f} s of speech")

    guarded(run)


def _warn_untranscribed(rt: Runtime, name: str) -> None:
    """Say now, not at first use, what cloning a voice without a transcript will need."""
    from voxcap import models

    if rt.transcribe is None:
        how = "install voxcap[asr] to transcribe it, or add it again with --transcript"
    else:
        try:
            models.locate("asr", rt.settings)
            return  # it will be transcribed on first use
        except VoxcapError:
            how = "run `voxcap models download asr` to transcribe it, or give --transcript"
    err.print(f"[yellow]note[/]: voice {name!r} has no transcript; cloning it needs one: {how}")


@voices_app.command("list")
def list_voices(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the voices."""

    def run() -> None:
        voices = runtime().voices.list()
        if as_json:
            out.print_json(json.dumps([asdict(v) for v in voices]))
            return
        if not voices:
            out.print("no voices yet: voxcap voices add NAME CLIP --transcript TEXT")
            return
        table = Table("name", "seconds", "created", "transcript")
        for v in voices:
            table.add_row(v.name, f"{v.duration:.1f}", v.created, _short(v.transcript))
        out.print(table)

    guarded(run)


@voices_app.command("show")
def show(name: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show one voice."""

    def run() -> None:
        voice = runtime().voices.get(name)
        if as_json:
            out.print_json(json.dumps(asdict(voice)))
            return
        table = Table(show_header=False, box=None)
        for key, value in asdict(voice).items():
            table.add_row(key, _shown(value))
        out.print(table)

    guarded(run)


def _shown(value: object) -> str:
    """A field as a person reads it: no Python reprs (``()``, ``True``; newuser #22)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return "; ".join(map(str, value)) or "-"
    return str(value)


@voices_app.command("rename")
def rename(old: str, new: str) -> None:
    """Rename a voice."""
    guarded(lambda: runtime().voices.rename(old, new))
    out.print(f"renamed {old!r} to {new!r}")


@voices_app.command("rm")
def remove(name: str) -> None:
    """Delete a voice."""
    guarded(lambda: runtime().voices.delete(name))
    out.print(f"deleted voice {name!r}")


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
