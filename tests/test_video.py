"""Captioned video, checked as a viewer sees it: ffprobe for the streams, frames grabbed by
ffmpeg and read as pixels for the captions."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from voxcap import pipeline
from voxcap.captions.presets import PRESETS
from voxcap.domain import CaptionOptions, SpeechRequest, SpeechResult
from voxcap.errors import BackgroundInvalid, UnknownAspect
from voxcap.export import render, to_folder
from voxcap.pipeline import ProgressEvent
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.video import ASPECTS, VideoOptions, plan

from .media import ffmpeg, h264
from .servers import run_voxcap as voxcap

BACKGROUND = (0x14, 0x14, 0x20)
YELLOW = (255, 214, 0)
TEXT = "Hello there, friends. This is the second sentence, after a long pause."


def ffprobe(path: Path) -> dict[str, dict[str, str]]:
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            str(path),
        ],
        capture_output=True,
        check=True,
    )
    info = json.loads(done.stdout)
    streams = {s["codec_type"]: s for s in info["streams"]}
    return {**streams, "format": info["format"]}


def frame(path: Path, at: float, size: tuple[int, int]) -> np.ndarray:
    """The picture at ``at`` seconds as an RGB array (height, width, 3)."""
    done = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{at:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(done.stdout, np.uint8).reshape(size[1], size[0], 3)


def near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    return int(np.sum(np.all(np.abs(pixels.astype(int) - colour) <= tolerance, axis=-1)))


@pytest.fixture(scope="module")
def paused(tmp_path_factory: pytest.TempPathFactory) -> SpeechResult:
    """Two sentences with a 1.2 s pause between them (longer than a cue's gap)."""
    settings = Settings(engine="piper", aligner="sphinx", sentence_pause=1.2)
    return pipeline.speak(SpeechRequest(TEXT), Runtime(settings))


def make_video(
    result: SpeechResult, folder: Path, options: VideoOptions, style: str = "karaoke"
) -> tuple[Path, list[ProgressEvent]]:
    video = plan(options)
    events: list[ProgressEvent] = []
    captions = CaptionOptions(style=style, frame=video.frame)  # type: ignore[arg-type]
    artifacts, _ = render(result, None, ["ass"], captions, video, events.append)
    exported = to_folder(artifacts, folder, {})
    assert exported.video is not None and exported.video.path is not None
    return exported.video.path, events


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_narration_video_streams_size_duration_and_faststart(
    paused: SpeechResult, aspect: str, tmp_path: Path
) -> None:
    path, events = make_video(paused, tmp_path, VideoOptions(aspect=aspect))
    info = ffprobe(path)
    width, height = ASPECTS[aspect]
    assert info["video"]["codec_name"] == "h264" and info["video"]["pix_fmt"] == "yuv420p"
    assert (int(info["video"]["width"]), int(info["video"]["height"])) == (width, height)
    assert info["video"]["r_frame_rate"] == "30/1"
    assert info["audio"]["codec_name"] == "aac"
    assert abs(float(info["video"]["duration"]) - paused.duration) <= 1 / 30 + 1e-3
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while loading
    fractions = [e.fraction for e in events if e.stage == "render"]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any(0 < f < 1 for f in fractions) and fractions == sorted(fractions)


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_captions_show_while_words_are_spoken_and_not_in_a_pause(
    paused: SpeechResult, aspect: str, tmp_path: Path
) -> None:
    path, _ = make_video(paused, tmp_path, VideoOptions(aspect=aspect))
    size = ASPECTS[aspect]
    band = slice(size[1] // 3, size[1])  # the captions sit in the lower part of the frame
    words = paused.words
    # inside the second word: the first word is already sung (highlight colour)
    second = words[1]
    during = frame(path, (second.start + second.end) / 2, size)[band]
    assert near(during, YELLOW) > 500, "highlighted caption pixels"
    assert near(during, (255, 255, 255), 30) > 200, "not-yet-spoken words in white"
    # the pause between the sentences, longer than the cue gap: nothing but background
    gap_start = next(w.end for w in words if w.text == "friends.")
    gap_end = next(w.start for w in words if w.text == "This")
    assert gap_end - gap_start > 0.8
    quiet = frame(path, (gap_start + gap_end) / 2, size)[band]
    assert near(quiet, BACKGROUND, 12) == quiet.shape[0] * quiet.shape[1]


def test_word_style_shows_the_word_being_said_in_white(
    paused: SpeechResult, tmp_path: Path
) -> None:
    path, _ = make_video(paused, tmp_path, VideoOptions(), style="word")
    word = paused.words[4]
    pixels = frame(path, (word.start + word.end) / 2, ASPECTS["9:16"])
    assert near(pixels, (255, 255, 255), 30) > 300
    assert near(pixels, YELLOW) == 0


def test_image_background_covers_the_frame(paused: SpeechResult, tmp_path: Path) -> None:
    image = tmp_path / "bg.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=0x3070c0:s=640x480", "-frames:v", "1", str(image))
    path, _ = make_video(paused, tmp_path / "out", VideoOptions(background=str(image)))
    top = frame(path, 0.5, ASPECTS["9:16"])[:200]
    assert near(top, (0x30, 0x70, 0xC0), 12) == top.shape[0] * top.shape[1]  # cover: no bars


def test_video_background_loops_and_its_sound_is_mixed_or_muted(
    paused: SpeechResult, tmp_path: Path
) -> None:
    clip = tmp_path / "bg.mp4"
    h264(
        *("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=1.5"),
        *("-f", "lavfi", "-i", "sine=f=220:d=1.5"),
        out=clip,
    )
    levels = {}
    for name, volume in (("muted", None), ("mixed", -6.0)):
        options = VideoOptions(background=str(clip), background_volume=volume)
        path, _ = make_video(paused, tmp_path / name, options)
        info = ffprobe(path)
        assert abs(float(info["video"]["duration"]) - paused.duration) <= 1 / 30 + 1e-3
        # in the pause between sentences only the background can be heard
        gap = next(w.end for w in paused.words if w.text == "friends.") + 0.4
        levels[name] = _rms(path, gap, 0.3)
    assert levels["muted"] < 0.003 < levels["mixed"]


def test_align_video_keeps_the_frame_rate_size_and_audio_bit_exact(
    paused: SpeechResult, tmp_path: Path
) -> None:
    from voxcap.audio import FORMATS, encode

    wav = tmp_path / "voice.wav"
    wav.write_bytes(encode(paused.audio, FORMATS["wav"]))
    talking = tmp_path / "talking-head.mp4"
    h264("-f", "lavfi", "-i", "color=c=0x205020:s=720x1280:r=25", "-i", wav, out=talking)
    script = tmp_path / "script.txt"
    script.write_text(TEXT)
    run = voxcap("align", str(talking), "-f", str(script), "--video", "--out", str(tmp_path / "o"))
    assert run.returncode == 0, run.stderr
    out = tmp_path / "o" / "video.mp4"
    before, after = ffprobe(talking), ffprobe(out)
    assert (after["video"]["width"], after["video"]["height"]) == (720, 1280)
    assert after["video"]["r_frame_rate"] == before["video"]["r_frame_rate"] == "25/1"
    assert _audio_md5(out) == _audio_md5(talking)  # the sound stream copied, not re-encoded
    ass = (tmp_path / "o" / "captions.ass").read_text()
    assert "PlayResX: 720" in ass and "PlayResY: 1280" in ass
    word = json.loads((tmp_path / "o" / "words.json").read_text())["words"][1]
    pixels = frame(out, (word["start"] + word["end"]) / 2, (720, 1280))
    assert near(pixels, YELLOW) > 200


def test_bad_video_input_fails_before_synthesis(tmp_path: Path) -> None:
    with pytest.raises(UnknownAspect):
        plan(VideoOptions(aspect="4:3"))
    with pytest.raises(BackgroundInvalid, match="neither a colour"):
        plan(VideoOptions(background=str(tmp_path / "missing.png")))
    sound = tmp_path / "sound.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=d=0.5", sound)
    with pytest.raises(BackgroundInvalid, match="no picture"):
        plan(VideoOptions(background=str(sound)))
    huge = tmp_path / "huge.png"
    ffmpeg("-f", "lavfi", "-i", "color=s=8000x7000", "-frames:v", "1", huge)
    with pytest.raises(BackgroundInvalid, match="56 MP"):
        plan(VideoOptions(background=str(huge)))
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not a picture")
    with pytest.raises(BackgroundInvalid, match=r"junk\.jpg"):
        plan(VideoOptions(background=str(junk)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--aspect", "4:3"], "unknown_aspect"),
        (["--background", "nowhere.png"], "background_invalid"),
        (["--fps", "500"], "invalid_input"),
        (["--colour", "red"], "invalid_input"),
        (["--caption-style", "bold", "--position", "top"], "invalid_input"),
    ],
)
def test_cli_refuses_bad_video_options_before_work(
    args: list[str], code: str, tmp_path: Path
) -> None:
    run = voxcap(
        "speak", "Hello.", "--engine", "piper", "--video", *args, "--out", str(tmp_path / "o")
    )
    assert run.returncode == 2, run.stderr
    assert f"({code})" in run.stderr and "Traceback" not in run.stderr
    assert not any((tmp_path / "o").glob("*"))


@pytest.mark.slow
def test_cli_without_ffmpeg_says_so_before_work(tmp_path: Path) -> None:
    import sys

    bin_dir = str(Path(sys.executable).parent)
    run = voxcap(
        "speak",
        "Hello.",
        "--engine",
        "piper",
        "--video",
        "--out",
        str(tmp_path / "o"),
        env={"PATH": bin_dir},
    )
    assert run.returncode == 2, run.stderr
    assert "(video_unavailable)" in run.stderr


def _rms(path: Path, start: float, length: float) -> float:
    done = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{start:.3f}",
            "-t",
            f"{length:.3f}",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    samples = np.frombuffer(done.stdout, np.float32)
    return float(np.sqrt(np.mean(samples**2)))


def _audio_md5(path: Path) -> str:
    done = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-c",
            "copy",
            "-f",
            "adts",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return hashlib.md5(done.stdout).hexdigest()


def test_a_failed_render_leaves_no_video(
    paused: SpeechResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voxcap.errors import RenderFailed

    clip = tmp_path / "bg.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:d=1", "-c:v", "libx264", clip)
    video = plan(VideoOptions(background=str(clip)))
    clip.write_bytes(b"gone bad after the check")  # ffmpeg itself now fails on it
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(RenderFailed, match="ffmpeg could not render"):
        render(paused, None, ["ass"], CaptionOptions(frame=video.frame), video)
    assert not list(scratch.iterdir())  # the scratch folders and the partial MP4 are gone


def test_own_video_sound_mp4_cannot_hold_is_encoded_to_aac(
    paused: SpeechResult, tmp_path: Path
) -> None:
    from voxcap.audio import FORMATS, encode

    wav = tmp_path / "voice.wav"
    wav.write_bytes(encode(paused.audio, FORMATS["wav"]))
    mkv = h264(
        "-f", "lavfi", "-i", "color=s=320x240:r=25", "-i", wav, out=tmp_path / "a.mkv", audio="flac"
    )
    video = plan(VideoOptions(), source=mkv)
    assert video.frame == (320, 240) and video.source is not None
    assert video.source.path == mkv and video.source.sound == "flac"
    artifacts, _ = render(paused, None, [], CaptionOptions(frame=video.frame), video)
    out = tmp_path / "out.mp4"
    out.write_bytes(next(a.data for a in artifacts if a.kind == "video"))
    info = ffprobe(out)
    assert info["audio"]["codec_name"] == "aac" and info["video"]["codec_name"] == "h264"
    source_duration = float(ffprobe(mkv)["format"]["duration"])
    assert abs(float(info["format"]["duration"]) - source_duration) < 0.1


@pytest.mark.slow
def test_the_python_example_in_docs_video_md_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = (Path(__file__).parents[1] / "docs" / "VIDEO.md").read_text()
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/VIDEO.md", "exec"), {})
    assert ffprobe(tmp_path / "out" / "video.mp4")["video"]["height"] == 1920
    assert (tmp_path / "out" / "speech.mp3").is_file()


LONG_WORDS = (
    "Visit https://example.com/a/very/long/path/that/keeps/on/going.html or write to "
    "jane.doe@example-company.com about the Donaudampfschifffahrtsgesellschaftskapitän, "
    "with Zoë Saldaña and Antonín Dvořák today 🎉"
)


@pytest.mark.parametrize("style", list(PRESETS))
@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_long_words_stay_inside_the_safe_area(style: str, aspect: str, tmp_path: Path) -> None:
    from voxcap.captions.fit import safe_area
    from voxcap.domain import Audio, Word

    texts = LONG_WORDS.split()
    timed = tuple(Word(t, 0.1 + 0.4 * i, 0.45 + 0.4 * i) for i, t in enumerate(texts))
    silence = Audio(np.zeros(int(24000 * (timed[-1].end + 0.3)), np.float32), 24000)
    result = SpeechResult(LONG_WORDS, silence, timed)
    path, _ = make_video(result, tmp_path, VideoOptions(aspect=aspect), style=style)
    size = ASPECTS[aspect]
    area = safe_area(size)
    for word in (w for w in timed if len(w.text) > 12 or not w.text.isascii()):
        pixels = frame(path, (word.start + word.end) / 2, size)
        ink = np.any(np.abs(pixels.astype(int) - BACKGROUND) > 40, axis=-1)
        columns = np.flatnonzero(ink.any(axis=0))
        assert columns.size, f"no caption while {word.text!r} is said"
        assert columns[0] >= area.left - 2 and columns[-1] <= size[0] - area.right + 2, (
            word.text,
            columns[0],
            columns[-1],
        )
        rows = np.flatnonzero(ink.any(axis=1))
        assert rows[-1] <= size[1] - area.bottom + 2 and rows[0] >= area.top - 2, word.text


@pytest.mark.parametrize(
    ("style", "lit"),
    [("highlight", (0x3C, 0xE1, 0x6E)), ("bold", (255, 224, 0)), ("accent", (0xFF, 0xE4, 0x5C))],
)
def test_active_word_presets_light_only_the_word_being_said(
    paused: SpeechResult, style: str, lit: tuple[int, int, int], tmp_path: Path
) -> None:
    path, _ = make_video(paused, tmp_path, VideoOptions(), style=style)
    size = ASPECTS["9:16"]
    lengths = []
    for word in paused.words[:3]:
        pixels = frame(path, (word.start + word.end) / 2, size)
        lengths.append(near(pixels, lit, 45))
        assert near(pixels, (255, 255, 255), 30) > 200, "the other words stay white"
    assert all(n > 100 for n in lengths), lengths


def test_overrides_change_the_look(paused: SpeechResult, tmp_path: Path) -> None:
    video = plan(VideoOptions())
    captions = CaptionOptions(style="highlight", frame=video.frame, highlight="#FF0000",
                              colour="#00FFFF", position="bottom")  # fmt: skip
    artifacts, _ = render(paused, None, ["ass"], captions, video)
    out = tmp_path / "video.mp4"
    out.write_bytes(next(a.data for a in artifacts if a.kind == "video"))
    word = paused.words[1]
    pixels = frame(out, (word.start + word.end) / 2, ASPECTS["9:16"])
    assert near(pixels, (255, 0, 0), 45) > 100 and near(pixels, (0, 255, 255), 45) > 100
    rows = np.flatnonzero((np.abs(pixels.astype(int) - BACKGROUND) > 40).any(axis=(1, 2)))
    assert rows[0] > 1920 // 2  # at the bottom, not the preset's middle


def test_a_video_is_ready_to_post_by_default(paused: SpeechResult, tmp_path: Path) -> None:
    """captions-video.md §1: without --loudness a video was at -20 LUFS with a true peak of
    0.0 dBTP, its sound 22.05 kHz mono. Now -14 LUFS, true peak at most -1 dBTP (ffmpeg's
    ebur128), 48 kHz stereo AAC; ``loudness=None`` keeps the narration as spoken."""
    from .test_loudness import ebur128

    path, _ = make_video(paused, tmp_path / "a", VideoOptions())
    info = ffprobe(path)["audio"]
    assert (info["codec_name"], info["sample_rate"], info["channels"]) == ("aac", "48000", 2)
    lufs, peak = ebur128(path)
    assert abs(lufs - -14) <= 0.5 and peak <= -1.0, (lufs, peak)
    kept, _ = make_video(paused, tmp_path / "b", VideoOptions(loudness=None))
    assert ebur128(kept)[0] < -16  # Piper speaks at about -20 LUFS


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_captions_sit_in_the_middle_of_the_frame(
    paused: SpeechResult, aspect: str, tmp_path: Path
) -> None:
    """captions-video.md §1: on 9:16 the text sat left of centre (the safe area's margins were
    6 % left and 16 % right); now the margins are the same on both sides."""
    from voxcap.captions.fit import safe_area

    size = ASPECTS[aspect]
    area = safe_area(size)
    assert area.left == area.right
    path, _ = make_video(paused, tmp_path, VideoOptions(aspect=aspect), style="plain")
    word = paused.words[2]
    pixels = frame(path, (word.start + word.end) / 2, size)
    ink = np.flatnonzero(np.any(np.abs(pixels.astype(int) - BACKGROUND) > 40, axis=-1).any(0))
    centre = (ink[0] + ink[-1]) / 2
    assert abs(centre - size[0] / 2) <= 0.02 * size[0], (ink[0], ink[-1])


def _fiery(pixels: np.ndarray) -> np.ndarray:
    """Where a frame shows 🔥's reds and oranges: no preset draws text in them, and the
    yellow highlight's edges keep its green/red ratio (0.84)."""
    red, green, blue = (pixels[..., k].astype(int) for k in range(3))
    return (red > 200) & (green < 0.6 * red) & (blue < 90)


@pytest.mark.parametrize("style", list(PRESETS))
@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_emoji_are_drawn_in_colour_beside_their_words(
    style: str, aspect: str, tmp_path: Path
) -> None:
    """captions-video.md 4a: an emoji was drawn invisible, a hole in the hook. Now it is
    Noto Color Emoji's picture, where libass left room for it, while its cue is shown."""
    from voxcap.captions.fit import safe_area
    from voxcap.domain import Audio, Word

    timed = (
        Word("Stop", 0.1, 0.5),
        Word("scrolling!", 0.5, 1.1),
        Word("🔥", 1.1, 1.1),
        Word("Look.", 1.6, 2.2),
    )
    silence = Audio(np.zeros(24000 * 3, np.float32), 24000)
    result = SpeechResult("Stop scrolling! 🔥 Look.", silence, timed)
    path, _ = make_video(result, tmp_path, VideoOptions(aspect=aspect), style=style)
    size = ASPECTS[aspect]
    shown = frame(path, 0.9, size)
    fire = _fiery(shown)
    assert fire.sum() > 300, fire.sum()
    _, xs = np.nonzero(fire)
    area = safe_area(size)
    assert xs.min() >= area.left - 2 and xs.max() <= size[0] - area.right + 2
    text = np.nonzero(np.any(np.abs(shown.astype(int) - BACKGROUND) > 40, axis=-1) & ~fire)
    if style != "word":  # one word at a time: "scrolling!" then the emoji beside it
        assert xs.min() > np.median(text[1]), "the emoji comes after the words"
    assert _fiery(frame(path, 2.0, size)).sum() == 0  # gone with its cue


def test_a_playlist_background_cannot_read_server_files(tmp_path: Path) -> None:
    """Reliability report #8: an HLS background whose segment was a server-local MPEG-TS file
    drew that file into the output (and told whether it existed). Playlists are not opened."""
    from voxcap.audio import decode
    from voxcap.errors import AudioDecodeError, BackgroundInvalid

    secret = tmp_path / "secret.ts"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64:d=1", str(secret)],
        check=True,
    )
    playlist = tmp_path / "background.m3u8"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://{secret}\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(BackgroundInvalid, match="playlist"):
        plan(VideoOptions(background=str(playlist)))
    concat = tmp_path / "list.txt"
    concat.write_text(f"ffconcat version 1.0\nfile '{secret}'\n")
    with pytest.raises(BackgroundInvalid):
        plan(VideoOptions(background=str(concat)))
    with pytest.raises(AudioDecodeError, match="playlist"):
        decode(playlist.read_bytes(), "voice.m3u8")


def test_many_emoji_are_placed_in_bounded_memory() -> None:
    """The probe's frames are read one at a time (120 distinct caption layouts with an emoji
    would be 750 MB of frames at once), and layouts shown again are probed once."""
    import tracemalloc

    from voxcap.captions import emoji, render_captions
    from voxcap.domain import Audio, Word
    from voxcap.video import ffmpeg

    timed = []
    for i in range(120):
        timed += [
            Word(f"Tip{i}.", 2.0 * i, 2.0 * i + 0.5),
            Word("🔥", 2.0 * i + 0.5, 2.0 * i + 0.5),
        ]
    result = SpeechResult("", Audio(np.zeros(24000, np.float32), 24000), tuple(timed))
    ass = render_captions(result, ["ass"], CaptionOptions(style="bold"))["ass"].decode()
    tracemalloc.start()
    try:
        text, overlays = emoji.place(ass, (1080, 1920), ffmpeg())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(overlays) == 120 and all(o.size > 50 for o in overlays)
    assert peak < 100 * 2**20, peak
    assert "🔥" not in text  # squares in the burned-in captions
