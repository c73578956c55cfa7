"""``voxcap speak``: narrate a text, with captions (and a video)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from voxcap.cli.app import comma_list, err, guarded, progress_bar, runtime
from voxcap.cli.common import (
    caption_options,
    check_destination,
    deliver,
    direction,
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
    BackgroundVolume,
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
    Lexicon,
    Loudness,
    MaxChars,
    MaxDur,
    MaxWords,
    Mode,
    OutDir,
    Outline,
    Position,
    Speaker,
    SpeakerLabels,
    Style,
    TextFile,
    Timings,
    TimingSource,
    Video,
)
from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from voxcap.domain import SpeechRequest, SpeechResult, Word
    from voxcap.pipeline import ProgressEvent
    from voxcap.playback import Player
    from voxcap.runtime import Runtime


def speak(
    text: Annotated[str | None, typer.Argument(help="What to say (or use --text-file).")] = None,
    text_file: TextFile = None,
    engine: Annotated[
        str | None,
        typer.Option(
            help="Engine: f5, piper or espeak (default: VOXCAP_ENGINE, else f5 where it is "
            "installed and a GPU is there, else piper)."
        ),
    ] = None,
    voice: Annotated[
        str | None, typer.Option(help="A library voice, a clip to clone, a Piper .onnx or name.")
    ] = None,
    ref_text: Annotated[
        str | None, typer.Option(help="What the --voice clip says (cloning from a file).")
    ] = None,
    out_dir: OutDir = None,
    audio_format: Annotated[
        str, typer.Option(help="wav, mp3, flac, opus, aac or pcm (raw 16-bit).")
    ] = "wav",
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
    speed: Annotated[float, typer.Option(help="Speaking rate, 0.25-4.")] = 1.0,
    seed: Annotated[int | None, typer.Option(help="Same seed, same speech (f5).")] = None,
    lexicon: Lexicon = None,
    speaker: Speaker = None,
    speaker_labels: SpeakerLabels = False,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Check the speech against the text; take failed sentences again (f5). "
            "Default: VOXCAP_VERIFY (auto: on for f5).",
        ),
    ] = None,
    nfe_step: Annotated[
        int | None, typer.Option(min=1, max=128, help="f5 flow steps: 32 (default), 16 fast.")
    ] = None,
    timings: Timings = TimingSource.align,
    aligner: Aligner = None,
    loudness: Loudness = None,
    social: Annotated[
        bool, typer.Option("--social", help="Same as --loudness tiktok (-14 LUFS).")
    ] = False,
    video: Video = False,
    aspect: Aspect = "9:16",
    background: Background = "#141420",
    background_volume: BackgroundVolume = None,
    fps: Fps = 30,
    play: Annotated[
        bool,
        typer.Option(
            "--play", help="Hear it sentence by sentence as it is made (aplay or ffplay)."
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Speak TEXT and write speech.<ext>, captions.srt|vtt|ass, words.csv and words.json (and
    video.mp4 with --video). TEXT may be SSML (starting with <speak>) or a dialogue script
    ('NAME: text' lines, voices by --speaker); see docs/DIRECTING.md."""

    def run() -> None:
        from voxcap import loudness as loudness_
        from voxcap.audio import audio_format as find_format
        from voxcap.captions import parse_formats
        from voxcap.domain import SpeechRequest
        from voxcap.export import render
        from voxcap.pipeline import speak as run_speak

        started = time.perf_counter()
        body = read_text(text, text_file)
        if social and loudness is not None:
            raise InvalidInput("give --social or --loudness, not both")
        lufs = loudness_.target("social" if social else loudness)
        fmt, formats = find_format(audio_format), parse_formats(captions)
        rt = runtime(f5_nfe_step=nfe_step)
        check_destination(rt, out_dir)
        if play and verify:
            raise InvalidInput("--play speaks each sentence as it is made: it cannot --verify")
        chosen = rt.engine_name(engine, voice)  # a clone without F5 stops here, before work
        if rt.engine_note:
            err.print(f"note: {rt.engine_note}", markup=False, highlight=False, soft_wrap=True)
        request = SpeechRequest(
            body,
            chosen,
            voice,
            speed,
            timings.value,
            aligner,
            ref_text=ref_text,
            seed=seed,
            verify=False if play else verify,
            **direction(lexicon, speaker),
        )
        # the narration is already at the loudness asked for (or kept as it is with "off")
        asked = social or loudness is not None
        plan = video_plan(video, aspect, background, background_volume, fps, None, asked)
        options = caption_options(
            CaptionOptions(
                cue_mode.value, max_words, max_chars, max_duration, speaker_labels=speaker_labels
            ),
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
        player = _player() if play else None  # no player: say so before any synthesis
        with progress_bar(not as_json) as listener:
            if player is not None:
                result = _played(request, rt, player, lufs, listener)
            else:
                result = run_speak(request, rt, listener, lufs)
            artifacts, stage_times = render(result, fmt, formats, options, plan, listener)
        finish(result, deliver(rt, artifacts, stage_times, out_dir), started, as_json)

    guarded(run)


def _player() -> Player:
    from voxcap.playback import Player, find_player

    return Player(find_player())


def _played(
    request: SpeechRequest,
    rt: Runtime,
    player: Player,
    lufs: float | None,
    listener: Callable[[ProgressEvent], None],
) -> SpeechResult:
    """Speak sentence by sentence, playing each as it is made; the result is the same
    narration (brought to ``lufs`` for the files afterwards, when asked)."""
    import numpy as np

    from voxcap import loudness as loudness_
    from voxcap.directing import read_of
    from voxcap.domain import Audio, SpeechResult
    from voxcap.pipeline import ProgressEvent
    from voxcap.streaming import stream

    started = time.perf_counter()
    pieces: list[Audio] = []
    words: list[Word] = []
    listener(ProgressEvent("synthesize", 0.0))
    try:
        for chunk in stream(request, rt):
            player.play(chunk.audio)
            pieces.append(chunk.audio)
            words.extend(chunk.words)
            listener(ProgressEvent("synthesize", (chunk.sentence + 1) / chunk.sentences))
    finally:
        player.close()
    audio = Audio(np.concatenate([p.samples for p in pieces]), pieces[0].sample_rate)
    timings = {"synthesize": time.perf_counter() - started}
    if lufs is not None:
        audio = loudness_.normalize(audio, lufs)
    return SpeechResult(read_of(request, rt).text, audio, tuple(words), timings)
