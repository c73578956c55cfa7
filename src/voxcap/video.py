"""Captioned video: the narration over a background, or a user's own video, with the captions
drawn by libass from the same ASS file the user gets, encoded once by ffmpeg (H.264 yuv420p +
AAC, ``+faststart``).

ffmpeg runs as a subprocess that reads the files and writes the MP4 itself: no frame passes
through Python, so memory stays flat whatever the length. Its ``-progress`` output drives the
``render`` stage, and it dies with its parent (``PR_SET_PDEATHSIG`` on Linux).

Everything that can be known before synthesis is checked by :func:`check` first: ffmpeg and
its libass filter, the aspect, and the background (a colour, an image of at most 50 MP, or a
video with a picture track).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from voxcap.audio import DEMUXERS
from voxcap.captions import emoji
from voxcap.domain import Audio
from voxcap.errors import (
    BackgroundInvalid,
    InvalidInput,
    RenderFailed,
    UnknownAspect,
    VideoUnavailable,
)
from voxcap.processes import die_with_parent

log = logging.getLogger(__name__)

ASPECTS: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),  # TikTok, Reels, Shorts
    "1:1": (1080, 1080),
    "16:9": (1920, 1080),  # YouTube
}
DEFAULT_BACKGROUND = "#141420"
MAX_IMAGE_PIXELS = 50_000_000
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
# ffmpeg colour names people use; any #RRGGBB works too
COLOURS = {"black", "white", "red", "green", "blue", "navy", "gray", "grey", "purple"}
COLOURS |= {"orange", "yellow", "pink", "teal", "maroon", "olive", "darkblue", "darkgreen"}
# the sound of a narration video: what the platforms ask for (AAC-LC, 48 kHz, stereo)
AUDIO_OUT = ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"]
MP4_AUDIO = {"aac", "mp3", "alac", "ac3", "eac3", "opus"}  # codecs MP4 holds as they are
_IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe"}
# what a background or a user's video may be (ffmpeg demuxers): media, never a playlist
MEDIA = ",".join([DEMUXERS, *sorted(_IMAGE_FORMATS), "gif"])
# before each -i of a user's file: a local file in one of those containers, nothing nested
OPEN = ("-protocol_whitelist", "file", "-format_whitelist", MEDIA)
Progress = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """How a narration video looks: ``aspect`` (9:16, 1:1, 16:9), ``background`` (a colour
    name or #RRGGBB, or the path of an image or a video), ``background_volume`` (dB: the
    background video's own sound mixed under the voice; None drops it), ``fps``, and
    ``loudness``: the LUFS the narration is brought to in the video (true peak at most -1
    dBTP; None: as it is), -14 by default so that a video is ready to post."""

    aspect: str = "9:16"
    background: str = DEFAULT_BACKGROUND
    background_volume: float | None = None
    fps: int = 30
    loudness: float | None = -14.0

    @property
    def size(self) -> tuple[int, int]:
        return frame_size(self.aspect)


@dataclass(frozen=True, slots=True)
class Background:
    """A checked background: a colour (ffmpeg's syntax), an image or a video file."""

    kind: Literal["colour", "image", "video"]
    value: str
    has_audio: bool = False


@dataclass(frozen=True, slots=True)
class Footage:
    """The user's own video, probed once: its file, length and sound codec (None: silent)."""

    path: Path
    duration: float
    sound: str | None


@dataclass(frozen=True, slots=True)
class VideoPlan:
    """A checked video to render: the narration over ``backdrop`` at ``frame``, or captions
    burned into the user's own video ``source`` (at its own size)."""

    options: VideoOptions
    frame: tuple[int, int]
    backdrop: Background | None = None
    source: Footage | None = None


def plan(options: VideoOptions, source: Path | None = None) -> VideoPlan:
    """Check everything before any synthesis or alignment. With ``source`` (a recording being
    aligned) the captions go onto that video; an audio-only ``source`` gets a background as a
    narration does.

    Raises:
        VideoUnavailable, UnknownAspect, InvalidInput, BackgroundInvalid: see :func:`check`.
    """
    if source is not None:
        ffmpeg()
        info = probe(source)
        pictures = _streams(info, "video")
        still = str(info.get("format", {}).get("format_name", "")) in _IMAGE_FORMATS
        if pictures and not still:
            sound = _streams(info, "audio")
            footage = Footage(
                source,
                float(info.get("format", {}).get("duration") or 0),
                sound[0].get("codec_name") if sound else None,
            )
            size = (int(pictures[0]["width"]), int(pictures[0]["height"]))
            return VideoPlan(options, size, source=footage)
    return VideoPlan(options, options.size, backdrop=check(options))


def render(audio: Audio, ass: bytes, video: VideoPlan, progress: Progress | None = None) -> bytes:
    """The MP4 of ``video`` with ``ass`` burned in; ``audio`` is the narration (unused when
    the captions go onto the user's own video, whose sound is copied)."""
    from voxcap.audio import FORMATS, encode

    with tempfile.TemporaryDirectory(prefix="voxcap-render-") as folder:
        out = Path(folder) / "video.mp4"
        text, overlays = emoji.place(ass.decode("utf-8"), video.frame, ffmpeg())
        ass = text.encode("utf-8")
        layers = Layers(overlays, Path(folder))
        if video.source is not None:
            caption_video(video.source, ass, out, progress, layers)
        else:
            assert video.backdrop is not None
            if video.options.loudness is not None:
                from voxcap.loudness import normalize

                audio = normalize(audio, video.options.loudness)
            wav = Path(folder) / "speech.wav"
            wav.write_bytes(encode(audio, FORMATS["wav"]))
            render_narration(
                wav, ass, audio.duration, out, video.options, video.backdrop, progress, layers
            )
        return out.read_bytes()


@dataclass(frozen=True, slots=True)
class Layers:
    """Pictures laid over the captioned frame (colour emoji), their PNGs written in
    ``folder``."""

    overlays: list[emoji.Overlay]
    folder: Path

    def graph(self, first_input: int, video: str) -> tuple[list[str], str, str]:
        """ffmpeg inputs, filter steps (after a ";", or "") and the final video label."""
        if not self.overlays:
            return [], "", video
        inputs, steps, label = emoji.overlay_graph(self.overlays, self.folder, first_input, video)
        return inputs, ";" + steps, label


def frame_size(aspect: str) -> tuple[int, int]:
    """Width and height for an aspect. Raises InvalidInput for an unknown one."""
    if aspect not in ASPECTS:
        raise UnknownAspect(f"unknown aspect {aspect!r}; choose one of: {', '.join(ASPECTS)}")
    return ASPECTS[aspect]


def check(options: VideoOptions) -> Background:
    """Check everything a render needs, before any synthesis.

    Raises:
        VideoUnavailable: ffmpeg or its libass filter is missing.
        InvalidInput: an unknown aspect, a bad fps or volume.
        BackgroundInvalid: the background is missing, unreadable, over 50 MP or has no picture.
    """
    ffmpeg()
    frame_size(options.aspect)
    if not 1 <= options.fps <= 60:
        raise InvalidInput(f"fps must be between 1 and 60, not {options.fps}")
    volume = options.background_volume
    if volume is not None and not (math.isfinite(volume) and -60 <= volume <= 12):
        raise InvalidInput(f"background volume must be between -60 and 12 dB, not {volume}")
    return background(options.background)


def is_colour(value: str) -> bool:
    """Whether ``value`` names a colour (#RRGGBB, RRGGBB or a known name)."""
    return bool(_HEX.fullmatch(value.strip())) or value.strip().lower() in COLOURS


def background(value: str) -> Background:
    """A colour, or a probed image or video file. Raises BackgroundInvalid."""
    text = value.strip()
    hexed = _HEX.fullmatch(text)
    if hexed:
        return Background("colour", f"0x{hexed[1]}")
    if text.lower() in COLOURS:
        return Background("colour", text.lower())
    path = Path(text).expanduser()
    if not path.is_file():
        raise BackgroundInvalid(
            f"background {value!r} is neither a colour (a name or #RRGGBB) nor a file that exists"
        )
    info = probe(path, BackgroundInvalid)
    video = _streams(info, "video")
    if not video:
        raise BackgroundInvalid(f"background {path.name} has no picture (no video stream)")
    width, height = int(video[0].get("width") or 0), int(video[0].get("height") or 0)
    if not width or not height:
        raise BackgroundInvalid(f"background {path.name} cannot be read as a picture")
    formats = set(str(info.get("format", {}).get("format_name", "")).split(","))
    still = bool(formats & _IMAGE_FORMATS) or video[0].get("codec_name") in {"png", "mjpeg"}
    has_audio = bool(_streams(info, "audio"))
    if still and len(video) == 1 and not has_audio:
        if width * height > MAX_IMAGE_PIXELS:
            raise BackgroundInvalid(
                f"background {path.name} is {width}x{height} ({width * height / 1e6:.0f} MP); "
                f"the limit is {MAX_IMAGE_PIXELS // 1_000_000} MP"
            )
        return Background("image", str(path.resolve()))
    return Background("video", str(path.resolve()), has_audio)


def probe(path: Path, error: type[InvalidInput] = InvalidInput) -> dict[str, Any]:
    """ffprobe's description of a file's format and streams. Raises ``error``."""
    exe = shutil.which("ffprobe")
    if exe is None:
        raise VideoUnavailable("video needs ffmpeg's ffprobe (apt-get install ffmpeg)")
    done = subprocess.run(
        [
            *(exe, "-v", "error", *OPEN, "-print_format", "json"),
            *("-show_format", "-show_streams", str(path)),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        if b"not on whitelist" in done.stderr:
            raise error(f"{path.name} is a playlist or a container voxcap does not open")
        raise error(f"{path.name} is not an image, audio or video file ffmpeg can read")
    info: dict[str, Any] = json.loads(done.stdout or b"{}")
    return info


def _streams(info: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """ffprobe's streams of one kind ("video", "audio")."""
    return [s for s in info.get("streams", []) if s.get("codec_type") == kind]


@functools.cache
def ffmpeg() -> str:
    """The ffmpeg executable, checked to have libass. Raises VideoUnavailable."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise VideoUnavailable("video needs ffmpeg with libass (apt-get install ffmpeg)")
    filters = subprocess.run(
        [exe, "-hide_banner", "-filters"], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    if not re.search(r"^\s*\S+\s+ass\s", filters, re.M):
        raise VideoUnavailable(f"{exe} has no libass (its 'ass' filter); install Debian's ffmpeg")
    return exe


def render_narration(
    audio: Path,
    ass: bytes,
    duration: float,
    out: Path,
    options: VideoOptions,
    backdrop: Background,
    progress: Progress | None = None,
    layers: Layers | None = None,
) -> None:
    """Write ``out`` (MP4): ``audio`` over ``backdrop`` with the ``ass`` captions burned in
    (and ``layers`` over them), ``duration`` seconds long."""
    width, height = options.size
    fps = options.fps
    if backdrop.kind == "colour":
        source = ["-f", "lavfi", "-i", f"color=c={backdrop.value}:s={width}x{height}:r={fps}"]
    elif backdrop.kind == "image":
        source = ["-loop", "1", "-framerate", str(fps), *OPEN, "-i", backdrop.value]
    else:
        source = ["-stream_loop", "-1", *OPEN, "-i", backdrop.value]
    cover = (
        f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
        f"setsar=1,fps={fps},format=yuv420p,ass=captions.ass"
    )
    extra, steps, label = (layers or Layers([], out.parent)).graph(2, "v")
    graph = f"[0:v]{cover}[v]{steps}"
    audio_map = "1:a:0"
    mix = backdrop.kind == "video" and backdrop.has_audio and options.background_volume is not None
    if mix:
        graph += (
            f";[0:a:0]volume={options.background_volume}dB[bed]"
            ";[1:a:0][bed]amix=inputs=2:duration=first:normalize=0[a]"
        )
        audio_map = "[a]"
    args = [
        *source,
        *("-i", str(audio.resolve())),
        *extra,
        *("-filter_complex", graph, "-map", f"[{label}]", "-map", audio_map),
        *("-t", f"{duration:.3f}"),
        *_encode(fps, still=backdrop.kind != "video"),
        *AUDIO_OUT,
    ]
    _run(args, ass, duration, out, progress)


def caption_video(
    source: Footage,
    ass: bytes,
    out: Path,
    progress: Progress | None = None,
    layers: Layers | None = None,
) -> None:
    """Burn ``ass`` (and ``layers``) into the user's own video ``source``, at its own size and
    frame rate; the sound is copied bit for bit where MP4 can hold its codec, else (FLAC,
    Vorbis, PCM...) encoded to AAC."""
    keep = ["-c:a", "copy"] if source.sound in MP4_AUDIO else AUDIO_OUT
    extra, steps, label = (layers or Layers([], out.parent)).graph(1, "v")
    args = [
        *(*OPEN, "-i", str(source.path.resolve())),
        *extra,
        *("-filter_complex", f"[0:v:0]ass=captions.ass[v]{steps}"),
        *("-map", f"[{label}]", "-map", "0:a:0?"),
        *_encode(None),
        *keep,
    ]
    _run(args, ass, source.duration, out, progress)


def _encode(fps: int | None, still: bool = False) -> list[str]:
    """H.264 at CRF 20. Text over a ``still`` picture (a colour or an image) has no motion to
    search: x264's fastest analysis and its still-image tuning, at the same quality."""
    rate = ["-r", str(fps)] if fps else []
    speed = ["-preset", "ultrafast", "-tune", "stillimage"] if still else ["-preset", "veryfast"]
    return [
        *("-c:v", "libx264", *speed, "-crf", "20", "-pix_fmt", "yuv420p"),
        *rate,
        *("-movflags", "+faststart"),
    ]


def _run(
    args: list[str], ass: bytes, duration: float, out: Path, progress: Progress | None
) -> None:
    """Run ffmpeg in a scratch folder that holds ``captions.ass`` (so the filter needs no path
    escaping), writing a temporary file that becomes ``out`` only when ffmpeg succeeds."""
    with tempfile.TemporaryDirectory(prefix="voxcap-video-") as folder:
        work = Path(folder)
        (work / "captions.ass").write_bytes(ass)
        partial = work / "video.mp4"
        command = [ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y"]
        command += ["-progress", "pipe:1", "-nostats", *args, str(partial)]
        log.info("rendering video: %s", " ".join(command))
        with subprocess.Popen(
            command,
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent(),
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit() and progress and duration:
                    progress(min(1.0, max(0.0, int(value) / 1e6 / duration)))
            errors = proc.stderr.read()
            code = proc.wait()
        if code != 0:
            raise RenderFailed(f"ffmpeg could not render the video: {errors.strip()[-400:]}")
        shutil.move(partial, out)
        if progress:
            progress(1.0)
