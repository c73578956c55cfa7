"""``voxcap speak`` and ``voxcap align``."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from voxcap.captions.presets import PRESETS
from voxcap.cli.app import comma_list, guarded, out, progress_bar, runtime
from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from voxcap.domain import SpeechRequest, SpeechResult, Word
    from voxcap.export import Artifact, Exported
    from voxcap.pipeline import ProgressEvent
    from voxcap.playback import Player
    from voxcap.runtime import Runtime
    from voxcap.video import VideoPlan


CaptionStyle = StrEnum("CaptionStyle", {name: name for name in PRESETS})  # type: ignore[misc]


class CueMode(StrEnum):
    phrase = "phrase"
    word = "word"
    broadcast = "broadcast"


class TimingSource(StrEnum):
    align = "align"
    engine = "engine"


TextFile = Annotated[Path | None, typer.Option("--text-file", "-f", help="Read the text from F.")]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Folder for the files (default: the store, VOXCAP_STORAGE)."),
]
Captions = Annotated[str, typer.Option(help="Comma-separated: srt,vtt,ass,csv,json.")]
Style = Annotated[
    CaptionStyle | None,
    typer.Option(
        help="Caption look (ASS and video): " + ", ".join(PRESETS) + " (default: the brand's, "
        "else karaoke)."
    ),
]
Hook = Annotated[str | None, typer.Option(help="A title over the video's first seconds.")]
Keywords = Annotated[
    str | None, typer.Option(help="Comma-separated words in the keyword colour (GlowCut,free).")
]
KeywordColour = Annotated[str | None, typer.Option(help="The keywords' colour, #RRGGBB.")]
Animation = Annotated[
    str | None, typer.Option(help="How the spoken word comes in: none, pop, scale, bounce.")
]
Brand = Annotated[str | None, typer.Option(help="A saved look (voxcap brands list).")]
Font = Annotated[str | None, typer.Option(help="Caption font family (default: the style's).")]
FontSize = Annotated[int | None, typer.Option(help="Caption size, pixels at 1080 wide.")]
Colour = Annotated[str | None, typer.Option(help="Caption text colour, #RRGGBB.")]
Highlight = Annotated[str | None, typer.Option(help="Spoken-word colour, #RRGGBB.")]
Outline = Annotated[float | None, typer.Option(help="Caption outline width, pixels.")]
Position = Annotated[str | None, typer.Option(help="Captions at the bottom or middle.")]
Mode = Annotated[
    CueMode,
    typer.Option(help="Phrases, one word per cue, or broadcast subtitles (2 x 42, timed to read)."),
]
MaxWords = Annotated[int, typer.Option(min=1, help="Most words in a phrase cue.")]
MaxChars = Annotated[int, typer.Option(min=1, help="Most characters in a phrase cue.")]
MaxDur = Annotated[float, typer.Option(min=0.1, help="Longest phrase cue, seconds.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead.")]
Aligner = Annotated[str | None, typer.Option(help="Forced aligner (default: VOXCAP_ALIGNER).")]
Timings = Annotated[TimingSource, typer.Option(help="Word timings: aligner or engine.")]
Video = Annotated[bool, typer.Option("--video", help="Also write video.mp4 with the captions.")]
Aspect = Annotated[str, typer.Option(help="Video frame: 9:16 (1080x1920), 1:1, 16:9.")]
Background = Annotated[
    str,
    typer.Option(help="Video background: a colour (name or #RRGGBB), an image or a video file."),
]
BackgroundVolume = Annotated[
    float | None,
    typer.Option(help="dB of a background video's own sound under the voice (default: muted)."),
]
Fps = Annotated[int, typer.Option(help="Video frames per second.")]
Loudness = Annotated[
    str | None,
    typer.Option(
        help="Target LUFS (-40 to -13) or a preset: tiktok, reels, youtube (-14), podcast "
        "(-16), broadcast (-23); off keeps the speech as it is. Default: off for the audio "
        "file; with --video, the video is at -14 unless given."
    ),
]


def speak(
    text: Annotated[str | None, typer.Argument(help="What to say (or use --text-file).")] = None,
    text_file: TextFile = None,
    engine: Annotated[str | None, typer.Option(help="Engine (default: VOXCAP_ENGINE).")] = None,
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
    video.mp4 with --video)."""

    def run() -> None:
        from voxcap import loudness as loudness_
        from voxcap.audio import audio_format as find_format
        from voxcap.captions import parse_formats
        from voxcap.domain import SpeechRequest
        from voxcap.export import check_writable, render
        from voxcap.pipeline import speak as run_speak

        started = time.perf_counter()
        body = _read_text(text, text_file)
        if social and loudness is not None:
            raise InvalidInput("give --social or --loudness, not both")
        lufs = loudness_.target("social" if social else loudness)
        fmt, formats = find_format(audio_format), parse_formats(captions)
        rt = runtime(f5_nfe_step=nfe_step)
        if out_dir is not None:
            check_writable(out_dir)
        if play and verify:
            raise InvalidInput("--play speaks each sentence as it is made: it cannot --verify")
        request = SpeechRequest(
            body,
            engine,
            voice,
            speed,
            timings.value,
            aligner,
            ref_text=ref_text,
            seed=seed,
            verify=False if play else verify,
        )
        # the narration is already at the loudness asked for (or kept as it is with "off")
        asked = social or loudness is not None
        plan = _video_plan(video, aspect, background, background_volume, fps, None, asked)
        options = _caption_options(
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
        player = _player() if play else None  # no player: say so before any synthesis
        with progress_bar(not as_json) as listener:
            if player is not None:
                result = _played(request, rt, player, lufs, listener)
            else:
                result = run_speak(request, rt, listener, lufs)
            artifacts, stage_times = render(result, fmt, formats, options, plan, listener)
        _finish(result, _deliver(rt, artifacts, stage_times, out_dir), started, as_json)

    guarded(run)


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
        from voxcap.export import check_writable, render
        from voxcap.pipeline import align as run_align

        started = time.perf_counter()
        body = (
            None
            if text is None and text_file is None
            else _read_text(text, text_file, how="with --text")
        )
        formats = parse_formats(captions)
        if not formats:
            raise InvalidInput("--captions names no format")
        if body is None:
            formats = list(dict.fromkeys([*formats, "txt"]))  # the transcript, to edit
        rt = runtime(asr_model=asr_model)
        if body is None:
            rt.transcriber()  # voxcap[asr] and its model, before the work
        if out_dir is not None:
            check_writable(out_dir)
        recording = decode(audio, max_seconds=rt.settings.max_audio_seconds)
        plan = _video_plan(video, aspect, background, None, fps, audio)
        options = _caption_options(
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
        _finish(result, _deliver(rt, artifacts, stage_times, out_dir), started, as_json)

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
    return SpeechResult(request.text, audio, tuple(words), timings)


def _video_plan(
    video: bool,
    aspect: str,
    background: str,
    volume: float | None,
    fps: int,
    source: Path | None,
    loudness_asked: bool = False,
) -> VideoPlan | None:
    """The checked video plan (before any synthesis), or None without --video. The video is
    brought to -14 LUFS unless the user asked for a loudness (the narration has it then)."""
    if not video:
        return None
    from voxcap import loudness
    from voxcap.video import VideoOptions, plan

    lufs = None if loudness_asked else loudness.VIDEO
    return plan(VideoOptions(aspect, background, volume, fps, lufs), source)


def _caption_options(
    grouping: CaptionOptions, plan: VideoPlan | None, rt: Runtime, brand: str | None, **look: Any
) -> CaptionOptions:
    """The caption options with the look asked for (on top of ``brand``'s, where given),
    checked before any work (a bad colour, an unknown brand or position stops here), laid out
    for the video's frame when there is one."""
    given = {k: v for k, v in look.items() if v is not None and v != ()}
    options = replace(grouping, **given)
    if brand is not None:
        options = rt.brands.get(brand).apply(options, set(given))
    options.look()
    return replace(options, frame=plan.frame) if plan is not None else options


def _deliver(
    rt: Runtime, artifacts: list[Artifact], timings: dict[str, float], out_dir: Path | None
) -> Exported:
    from voxcap.export import to_folder, to_store

    if out_dir is not None:
        return to_folder(artifacts, out_dir, timings)
    return to_store(artifacts, rt.store, uuid.uuid4().hex, timings)


def _read_text(text: str | None, text_file: Path | None, how: str = "as an argument") -> str:
    if text is None and text_file is None:
        raise InvalidInput(f"no text given: give it {how} or with --text-file")
    if text is not None and text_file is not None:
        raise InvalidInput(f"give the text {how} or with --text-file, not both")
    if text_file is None:
        assert text is not None
        return text
    try:
        return text_file.read_text(encoding="utf-8-sig")  # Notepad's byte-order mark is no word
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read text file {text_file}: {exc}") from None


def _finish(result: SpeechResult, exported: Exported, started: float, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps(document(result, exported)))
        return
    files = ([exported.audio] if exported.audio else []) + list(exported.captions.values())
    files += [exported.video] if exported.video else []
    folders = {f.path.parent for f in files if f.path is not None}
    if len(folders) == 1 and all(f.path is not None for f in files):
        out.print(f"files in {folders.pop()}/", soft_wrap=True, highlight=False)  # never cut
        table = Table(show_header=False, box=None)
        for f in files:
            assert f.path is not None
            table.add_row(f.format, f.path.name, f"{f.bytes:,} bytes")
        out.print(table)
    else:
        for f in files:  # URLs: one per line, whole, to copy
            out.print(f"{f.format}  {f.bytes:,} bytes  {f.url}", soft_wrap=True, highlight=False)
    _mismatches(result)
    _verified(result)
    wall = time.perf_counter() - started
    rtf = wall / result.duration if result.duration else 0.0
    out.print(
        f"{len(result.words)} words, audio {result.duration:.2f} s, wall {wall:.2f} s, "
        f"real-time factor {rtf:.3f}"
    )


def _mismatches(result: SpeechResult) -> None:
    """Say what of the text and the recording did not match (an alignment)."""
    report = result.alignment
    if report is None:
        return
    if report.unplaced:
        shown = ", ".join(repr(result.words[i].text) for i in report.unplaced[:12])
        more = f" and {len(report.unplaced) - 12} more" if len(report.unplaced) > 12 else ""
        out.print(
            f"[yellow]{len(report.unplaced)} words not found in the audio[/] "
            f"(not spoken, or drowned out): {shown}{more}",
            soft_wrap=True,
            highlight=False,
        )
    if report.unmatched:
        spans = ", ".join(f"{s:.1f}-{e:.1f} s" for s, e in report.unmatched[:8])
        out.print(f"[yellow]speech that is not in the text[/] at {spans}", highlight=False)
    if result.transcribed:
        coarse = (
            f" ({len(report.recognised)} timed by recognition only)" if report.recognised else ""
        )
        out.print(
            f"transcribed {len(result.words)} words{coarse}: check transcript.txt, fix any "
            "word, and run align again with -f transcript.txt for captions exact to the word",
            soft_wrap=True,
            highlight=False,
        )


def _verified(result: SpeechResult) -> None:
    """Say how the speech compares with the text, when it was verified."""
    if result.verification is None:
        return
    flagged = result.verification.flagged
    if not flagged:
        out.print(f"[green]all {len(result.words)} words verified[/]", highlight=False)
        return
    out.print(
        f"[yellow]{len(flagged)} of {len(result.verification.sentences)} sentences not "
        "spoken as written:[/]",
        highlight=False,
    )
    for check in flagged[:12]:
        tries = f", {check.attempts} takes" if check.attempts > 1 else ""
        out.print(
            f"  {check.status} at {check.start:.1f} s{tries}: {check.reason}",
            soft_wrap=True,
            highlight=False,
        )


def document(result: SpeechResult, exported: Exported) -> dict[str, Any]:
    """The result JSON shared with the HTTP API and the RunPod worker."""
    from voxcap.schemas import speech_output

    return speech_output(result, exported).public()
