"""The ``voxcap`` command line: a thin face over the pipeline (typer + rich)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput, VoxcapError

if TYPE_CHECKING:
    from voxcap.domain import SpeechResult
    from voxcap.export import Exported
    from voxcap.pipeline import Listener

app = typer.Typer(
    help="voxcap: narration in a (cloned) voice with word-exact captions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()
log = logging.getLogger("voxcap.cli")


class CaptionStyle(StrEnum):
    word = "word"
    karaoke = "karaoke"
    plain = "plain"


class CueMode(StrEnum):
    phrase = "phrase"
    word = "word"


class TimingSource(StrEnum):
    align = "align"
    engine = "engine"


TextFile = Annotated[Path | None, typer.Option("--text-file", "-f", help="Read the text from F.")]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Folder for the output files.")]
Captions = Annotated[str, typer.Option(help="Comma-separated: srt,vtt,ass,csv,json.")]
Style = Annotated[CaptionStyle, typer.Option(help="ASS look for 9:16 video.")]
Mode = Annotated[CueMode, typer.Option(help="One word per cue, or phrases.")]
MaxWords = Annotated[int, typer.Option(min=1, help="Most words in a phrase cue.")]
MaxChars = Annotated[int, typer.Option(min=1, help="Most characters in a phrase cue.")]
MaxDur = Annotated[float, typer.Option(min=0.1, help="Longest phrase cue, seconds.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead.")]
Aligner = Annotated[str | None, typer.Option(help="Forced aligner (default: VOXCAP_ALIGNER).")]


@app.command()
def speak(
    text: Annotated[str | None, typer.Argument(help="What to say (or use --text-file).")] = None,
    text_file: TextFile = None,
    engine: Annotated[str | None, typer.Option(help="Engine (default: VOXCAP_ENGINE).")] = None,
    voice: Annotated[str | None, typer.Option(help="Voice: a path or a name.")] = None,
    out_dir: OutDir = Path("voxcap-out"),
    audio_format: Annotated[str, typer.Option(help="wav, mp3, flac or opus.")] = "wav",
    captions: Captions = "srt,vtt,ass,csv,json",
    caption_style: Style = CaptionStyle.karaoke,
    cue_mode: Mode = CueMode.phrase,
    max_words: MaxWords = 4,
    max_chars: MaxChars = 28,
    max_duration: MaxDur = 3.0,
    speed: Annotated[float, typer.Option(help="Speaking rate, 0.25-4.")] = 1.0,
    timings: Annotated[
        TimingSource, typer.Option(help="Word timings from the aligner or the engine.")
    ] = TimingSource.align,
    aligner: Aligner = None,
    loudness: Annotated[
        float | None, typer.Option(help="Target LUFS, e.g. -14 (off by default).")
    ] = None,
    social: Annotated[bool, typer.Option("--social", help="Loudness preset -14 LUFS.")] = False,
    as_json: AsJson = False,
) -> None:
    """Speak TEXT and write speech.<ext>, captions.srt|vtt|ass, words.csv and words.json."""

    def run(listener: Listener) -> tuple[SpeechResult, Exported]:
        from voxcap.audio import SOCIAL_LUFS
        from voxcap.audio import audio_format as find_format
        from voxcap.captions import parse_formats
        from voxcap.domain import SpeechRequest
        from voxcap.export import check_writable, export
        from voxcap.pipeline import speak as run_speak

        body = _read_text(text, text_file)
        fmt, formats = find_format(audio_format), parse_formats(captions)
        check_writable(out_dir)
        request = SpeechRequest(body, engine, voice, speed, timings.value, aligner)
        result = run_speak(request, None, listener, SOCIAL_LUFS if social else loudness)
        options = CaptionOptions(
            cue_mode.value, max_words, max_chars, max_duration, style=caption_style.value
        )
        return result, export(result, out_dir, fmt, formats, options)

    _face(run, as_json)


@app.command()
def align(
    audio: Annotated[Path, typer.Argument(help="A recording of the text.")],
    text: Annotated[
        str | None, typer.Option("--text", "-t", help="What the recording says.")
    ] = None,
    text_file: TextFile = None,
    out_dir: OutDir = Path("voxcap-out"),
    captions: Captions = "srt,vtt,ass,csv,json",
    caption_style: Style = CaptionStyle.karaoke,
    cue_mode: Mode = CueMode.phrase,
    max_words: MaxWords = 4,
    max_chars: MaxChars = 28,
    max_duration: MaxDur = 3.0,
    aligner: Aligner = None,
    as_json: AsJson = False,
) -> None:
    """Time the words of a text in an existing recording and write the caption files."""

    def run(listener: Listener) -> tuple[SpeechResult, Exported]:
        from voxcap.audio import decode
        from voxcap.captions import parse_formats
        from voxcap.export import check_writable, export
        from voxcap.pipeline import align as run_align

        body = _read_text(text, text_file)
        formats = parse_formats(captions)
        if not formats:
            raise InvalidInput("--captions names no format")
        check_writable(out_dir)
        result = run_align(decode(audio), body, None, aligner, listener)
        options = CaptionOptions(
            cue_mode.value, max_words, max_chars, max_duration, style=caption_style.value
        )
        return result, export(result, out_dir, None, formats, options)

    _face(run, as_json)


def _read_text(text: str | None, text_file: Path | None) -> str:
    if (text is None) == (text_file is None):
        raise InvalidInput("give the text as an argument or with --text-file, not both")
    if text_file is None:
        assert text is not None
        return text
    try:
        return text_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read text file {text_file}: {exc}") from None


def _face(run: Callable[[Listener], tuple[SpeechResult, Exported]], as_json: bool) -> None:
    """Run a command: progress bar, errors as one line + exit code, then the summary."""
    started = time.perf_counter()
    try:
        with _progress(enabled=not as_json) as listener:
            result, exported = run(listener)
    except VoxcapError as exc:
        err.print(f"[bold red]error[/] ({exc.code}): {exc.message}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except Exception:
        log.exception("unexpected failure")
        err.print("[bold red]error[/] (internal_error): unexpected failure; see the log above")
        raise typer.Exit(1) from None
    wall = time.perf_counter() - started
    if as_json:
        out.print_json(json.dumps(_document(result, exported)))
    else:
        _summary(result, exported, wall)


@contextmanager
def _progress(enabled: bool) -> Iterator[Listener]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from voxcap.pipeline import ProgressEvent

    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not enabled,
    )
    tasks: dict[str, Any] = {}

    def listener(event: ProgressEvent) -> None:
        if event.stage not in tasks:
            tasks[event.stage] = bar.add_task(event.stage, total=1.0)
        bar.update(tasks[event.stage], completed=event.fraction)

    with bar:
        yield listener


def _document(result: SpeechResult, exported: Exported) -> dict[str, Any]:
    from voxcap.schemas import AudioRef, FileRef, SpeechOutput, WordOut

    audio = exported.audio
    doc = SpeechOutput(
        audio=AudioRef(
            url=audio.path.resolve().as_uri(),
            format=audio.format,
            bytes=audio.bytes,
            duration=round(result.duration, 3),
        )
        if audio
        else None,
        captions={
            k: FileRef(url=f.path.resolve().as_uri(), format=k, bytes=f.bytes)
            for k, f in exported.captions.items()
        },
        words=[WordOut(text=w.text, start=w.start, end=w.end) for w in result.words],
        duration=round(result.duration, 3),
        timings={k: round(v, 4) for k, v in {**result.timings, **exported.timings}.items()},
    )
    return doc.model_dump()


def _summary(result: SpeechResult, exported: Exported, wall: float) -> None:
    table = Table(show_header=False, box=None)
    files = ([exported.audio] if exported.audio else []) + list(exported.captions.values())
    for f in files:
        table.add_row(f.format, str(f.path), f"{f.bytes:,} bytes")
    out.print(table)
    rtf = wall / result.duration if result.duration else 0.0
    out.print(
        f"{len(result.words)} words, audio {result.duration:.2f} s, wall {wall:.2f} s, "
        f"real-time factor {rtf:.3f}"
    )


def main() -> None:
    """Entry point of the ``voxcap`` script."""
    from voxcap.settings import Settings

    try:
        level = Settings().log_level
    except Exception:  # noqa: BLE001 - bad settings are reported, not raised
        level = "WARNING"
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app()
