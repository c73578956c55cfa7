"""Every input format ffmpeg reads works for voice clips, --voice and align: phone voice memos
(M4A), video soundtracks (MP4/MOV/WebM/MKV), MP3, OGG/Opus, FLAC, WAV at any rate and channels,
each made by ffmpeg from real speech; errors name the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from voxcap.audio import decode
from voxcap.domain import SpeechResult
from voxcap.errors import AudioDecodeError
from voxcap.runtime import Runtime
from voxcap.settings import Settings

from .conftest import CLIP_TEXT
from .media import ffmpeg, silent_video
from .servers import run_voxcap as voxcap

# container -> ffmpeg output options (video containers get a small picture track)
CONTAINERS = {
    "m4a": ["-c:a", "aac"],
    "aac": ["-c:a", "aac", "-f", "adts"],
    "mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    "mov": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    "webm": ["-c:v", "libvpx", "-c:a", "libopus", "-b:v", "50k"],
    "mkv": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "flac"],
    "mp3": ["-c:a", "libmp3lame"],
    "ogg": ["-c:a", "libopus"],
    "flac": ["-ac", "2", "-ar", "44100"],
    "wav": ["-ac", "2", "-ar", "48000"],
}
VIDEO = {"mp4", "mov", "webm", "mkv"}


def convert(wav: Path, suffix: str) -> Path:
    """``wav`` as a ``suffix`` file made by ffmpeg (a 160x90 picture for video containers)."""
    out = wav.with_name(f"{wav.stem}-{suffix}.{suffix}")
    picture = ["-f", "lavfi", "-i", "color=c=navy:s=160x90:r=15"] if suffix in VIDEO else []
    ffmpeg(
        *picture,
        "-i",
        str(wav),
        "-shortest",
        "-map",
        f"{1 if picture else 0}:a",
        *(["-map", "0:v"] if picture else []),
        *CONTAINERS[suffix],
        str(out),
    )
    return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, clip_wav: bytes) -> Path:
    path = tmp_path_factory.mktemp("formats") / "clip.wav"
    path.write_bytes(clip_wav)
    return path


@pytest.mark.parametrize("suffix", sorted(CONTAINERS))
def test_every_container_decodes_to_the_same_speech(clip: Path, suffix: str) -> None:
    original = decode(clip)
    converted = decode(convert(clip, suffix))
    assert abs(converted.duration - original.duration) < 0.1  # codec priming at most
    assert converted.samples.ndim == 1 and converted.samples.dtype == np.float32
    assert float(np.sqrt(np.mean(converted.samples**2))) > 0.02  # speech, not silence


def test_a_voice_from_an_m4a_clones_and_aligns_like_its_wav(clip: Path, tmp_path: Path) -> None:
    settings = Settings(
        engine="piper",
        aligner="sphinx",
        storage=f"file://{tmp_path / 'store'}",
        voice_cache_dir=tmp_path / "cache",
    )
    rt = Runtime(settings)
    m4a = convert(clip, "m4a")
    rt.voices.add("wav", clip.read_bytes(), transcript=CLIP_TEXT, filename=clip.name, source="t")
    added = rt.voices.add(
        "memo", m4a.read_bytes(), transcript=CLIP_TEXT, filename=m4a.name, source="t"
    )
    assert added.source == "t" and abs(added.duration - rt.voices.get("wav").duration) < 0.08
    wav_ref = rt.voices.prepared("wav", rt.aligner())
    memo_ref = rt.voices.prepared("memo", rt.aligner())
    assert memo_ref.text == wav_ref.text == CLIP_TEXT
    assert abs(memo_ref.audio.duration - wav_ref.audio.duration) < 0.08


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["mp4", "m4a"])
def test_cli_aligns_a_video_soundtrack_like_the_wav(
    sentence_results: list[SpeechResult], suffix: str, tmp_path: Path
) -> None:
    from voxcap.audio import FORMATS, encode

    result = sentence_results[1]
    wav = tmp_path / "take.wav"
    wav.write_bytes(encode(result.audio, FORMATS["wav"]))
    script = tmp_path / "script.txt"
    script.write_text(result.text)
    times = {}
    for name, path in (("wav", wav), (suffix, convert(wav, suffix))):
        run = voxcap("align", str(path), "-f", str(script), "--out", str(tmp_path / name))
        assert run.returncode == 0, run.stderr
        words = json.loads((tmp_path / name / "words.json").read_text())["words"]
        assert [w["text"] for w in words] == result.text.split()
        times[name] = np.array([w["start"] for w in words])
    # AAC shifts and smears onsets a little: the same times, but the onset of a word after a
    # pause may be read a few frames (once 0.32 s) apart
    differences = np.abs(times[suffix] - times["wav"])
    assert float(np.median(differences)) <= 0.02, differences
    assert int(np.sum(differences > 0.05)) <= 1, differences


def test_errors_name_the_file_and_never_a_python_object(clip: Path, tmp_path: Path) -> None:
    silent = silent_video(tmp_path / "silent.mp4")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(bytes(range(256)) * 20)
    garbage = tmp_path / "notes.m4a"
    garbage.write_bytes(b"this is not a recording")
    with pytest.raises(AudioDecodeError, match=r"silent\.mp4 has no audio track"):
        decode(silent)
    for path in (junk, garbage):
        with pytest.raises(AudioDecodeError, match=path.name) as caught:
            decode(path)
        assert "object at 0x" not in str(caught.value)
    with pytest.raises(AudioDecodeError, match=r"kim\.m4a"):
        decode(garbage.read_bytes(), "kim.m4a")


@pytest.mark.slow
def test_cli_voices_add_and_align_refuse_a_video_without_sound(tmp_path: Path) -> None:
    silent = silent_video(tmp_path / "silent.mov")
    env = {"VOXCAP_STORAGE": f"file://{tmp_path / 'store'}"}
    add = voxcap("voices", "add", "kim", str(silent), "--transcript", "Hi.", env=env)
    run = voxcap("align", str(silent), "--text", "Hi.", "--out", str(tmp_path / "o"))
    for done in (add, run):
        assert done.returncode == 2, done.stderr
        assert "silent.mov has no audio track" in done.stderr
        assert "Traceback" not in done.stderr
