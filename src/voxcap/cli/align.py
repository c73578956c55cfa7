"""``voxcap align``: captions for an existing recording, of a text or transcribed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from voxcap.cli.app import comma_list, guarded, progress_bar, runtime
from voxcap.cli.common import (
    caption_options,
    check_destination,
    deliver,
    finish,
    read_text,
    video_plan,
)
from voxcap.cli.options import (
    Aligner,
    Animation,
    AsJson,
    Aspect,
    Background,
    Brand,
    Captions,
    Colour,
    CueMode,
    Font,
    FontSize,
    Fps,
    Highlight,
    Hook,
    KeywordColour,
    Keywords,
    MaxChars,
    MaxDur,
    MaxWords,
    Mode,
    OutDir,
    Outline,
    Position,
    Style,
    TextFile,
)
from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput


def align(
    audio: Annotated[Path, typer.Argument(help="A recording (audio or video).")],
    text: Annotated[
        str | None,
        typer.Option("--text", "-t", help="What it says (none: transcribed, see --asr-model)."),
    ] = None,
    text_file: TextFile = None,
    out_dir: OutDir = None,
    captions: Captions = "srt,vtt,ass,csv,json",
    caption_style: Style = None,
    font: Font = None,
    font_size: FontSize = None,
    colour: Colour = None,
    highlight: Highlight = None,
    outline: Outline = None,
    position: Position = None,
    hook: Hook = None,
    keywords: Keywords = None,
    keyword_colour: KeywordColour = None,
    animation: Animation = None,
    brand: Brand = None,
    cue_mode: Mode = CueMode.phrase,
    max_words: MaxWords = 4,
    max_chars: MaxChars = 28,
    max_duration: MaxDur = 3.0,
    aligner: Aligner = None,
    video: Annotated[
        bool,
        typer.Option(
            "--video",
            help="Also write video.mp4: the captions burned into AUDIO when it is a video, "
            "else AUDIO over a background.",
        ),
    ] = False,
    aspect: Aspect = "9:16",
    background: Background = "#141420",
    fps: Fps = 30,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="Check that each sentence is spoken as written (docs/VERIFY.md)."
        ),
    ] = False,
    language: Annotated[
        str | None,
        typer.Option(help="Without a text: the language spoken (e.g. en, de); default: detected."),
    ] = None,
    asr_model: Annotated[
        str | None,
        typer.Option(
            help="Without a text: the speech recognition model (tiny.en, packaged; small, "
            "large-v3-turbo... after `voxcap models download asr --model NAME`).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Time the words of a text in an existing recording (audio or video) and write the
    caption files (and video.mp4 with --video). Without a text, the recording is transcribed
    first and the transcript written as transcript.txt: fix a word in it and run again with
    -f transcript.txt for captions exact to the word."""

    def run() -> None:
        from voxcap.audio import decode
        from voxcap.captions import parse_formats
        from voxcap.export import render
        from voxcap.pipeline import align as run_align

        started = time.perf_counter()
        body = (
            None
            if text is None and text_file is None
            else read_text(text, text_file, how="with --text")
        )
        formats = parse_formats(captions)
        if not formats:
            raise InvalidInput("--captions names no format")
        if body is None:
            formats = list(dict.fromkeys([*formats, "txt"]))  # the transcript, to edit
        rt = runtime(asr_model=asr_model)
        if body is None:
            rt.transcriber()  # voxcap[asr] and its model, before the work
        check_destination(rt, out_dir)
        recording = decode(audio, max_seconds=rt.settings.max_audio_seconds)
        plan = video_plan(video, aspect, background, None, fps, audio)
        options = caption_options(
            CaptionOptions(cue_mode.value, max_words, max_chars, max_duration),
            plan,
            rt,
            brand,
            style=caption_style.value if caption_style else None,
            font=font,
            font_size=font_size,
            colour=colour,
            highlight=highlight,
            outline=outline,
            position=position,
            keyword_colour=keyword_colour,
            animation=animation,
            keywords=comma_list(keywords),
            hook=hook,
        )
        with progress_bar(not as_json) as listener:
            result = run_align(recording, body, rt, aligner, listener, verify or None, language)
            artifacts, stage_times = render(result, None, formats, options, plan, listener)
        finish(result, deliver(rt, artifacts, stage_times, out_dir), started, as_json)

    guarded(run)
