"""The options ``voxcap speak`` and ``voxcap align`` share: their types and help texts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from voxcap.captions.presets import PRESETS

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
Captions = Annotated[str, typer.Option(help="Comma-separated: srt,vtt,ass,csv,json,txt.")]
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
Lexicon = Annotated[
    list[str] | None,
    typer.Option(
        "--lexicon",
        help="Pronunciations: a stored lexicon's name (voxcap lexicon list) or a .pls/.tsv "
        "file; again for more (the first that knows a word wins).",
    ),
]
Speaker = Annotated[
    list[str] | None,
    typer.Option(
        "--speaker",
        help="A dialogue speaker's voice, NAME=VOICE: a library voice, a preset (joe) or "
        "ENGINE:VOICE (piper:joe, espeak:en-us+f3); again for each speaker.",
    ),
]
SpeakerLabels = Annotated[
    bool,
    typer.Option("--speaker-labels", help="SRT: start a speaker's lines with 'NAME: '."),
]
