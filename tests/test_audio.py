"""Audio encode/decode and resampling on real speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voxcap.audio import FORMATS, audio_format, decode, encode, resample
from voxcap.domain import Audio, SpeechResult
from voxcap.errors import AudioDecodeError, UnknownFormat


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.encoder == "sndfile"])
def test_every_format_round_trips(
    sentence_results: list[SpeechResult], name: str, tmp_path: Path
) -> None:
    audio = sentence_results[0].audio
    fmt = audio_format(name)
    path = tmp_path / f"speech.{fmt.extension}"
    path.write_bytes(encode(audio, fmt))
    info = sf.info(str(path))
    assert info.channels == 1
    assert abs(info.duration - audio.duration) < 0.1
    back = decode(path)
    assert abs(back.duration - audio.duration) < 0.1
    assert float(np.abs(back.samples).max()) > 0.1
    if name == "opus":
        assert back.sample_rate in fmt.rates


def test_resample_keeps_duration() -> None:
    tone = Audio(np.sin(np.linspace(0, 440 * 2 * np.pi, 22050)).astype(np.float32), 22050)
    out = resample(tone, 16000)
    assert out.sample_rate == 16000 and len(out.samples) == 16000


def test_corrupt_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    with pytest.raises(AudioDecodeError, match="cannot read"):
        decode(bad)
    with pytest.raises(AudioDecodeError):
        decode(tmp_path / "missing.wav")
    with pytest.raises(UnknownFormat):
        audio_format("aiff")


def test_aac_through_ffmpeg_and_raw_pcm(
    sentence_results: list[SpeechResult], tmp_path: Path
) -> None:
    import subprocess

    audio = sentence_results[0].audio
    pcm = encode(audio, audio_format("pcm"))
    assert (
        len(pcm) == 2 * round(audio.duration * 24_000)
        or abs(len(pcm) / 2 / 24_000 - audio.duration) < 0.01
    )
    path = tmp_path / "speech.aac"
    path.write_bytes(encode(audio, audio_format("aac")))
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=duration:stream=codec_name",
            "-of",
            "default=nw=1",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "codec_name=aac" in probe.stdout
    duration = float(probe.stdout.split("duration=")[1].split()[0])
    assert abs(duration - audio.duration) < 0.2


@pytest.mark.parametrize("name", ["opus", "mp3", "flac", "wav"])
def test_encoding_reports_its_progress(name: str) -> None:
    """First-use report #14: a long Opus encode showed no bar; it now reports as it goes."""
    rate = 24_000
    tone = np.sin(np.linspace(0, 25 * 440 * 2 * np.pi, 25 * rate)).astype(np.float32) * 0.3
    seen: list[float] = []
    data = encode(Audio(tone, rate), audio_format(name), seen.append)
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 1.0
    assert abs(decode(data).duration - 25.0) < 0.1
