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


def _bomb(folder: Path, channels: int, seconds: int, unsized: bool = False) -> Path:
    """A tiny FLAC of a constant signal that decodes to ``channels`` x ``seconds`` of audio
    (the reliability report's bombs: 27 kB for 8 channels x 10 minutes)."""
    import subprocess

    path = folder / f"bomb{channels}x{seconds}{'-unsized' if unsized else ''}.flac"
    signal = "|".join(["0.5"] * channels)
    target = ["-f", "flac", "pipe:1"] if unsized else [str(path)]
    done = subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi"),
            *("-i", f"aevalsrc={signal}:s=48000:d={seconds}"),
            *("-c:a", "flac", "-frame_size", "65535", *target),
        ],
        capture_output=True,
        check=True,
    )
    if unsized:
        path.write_bytes(done.stdout)
    return path


@pytest.mark.parametrize("unsized", [False, True], ids=["sized", "unsized-through-ffmpeg"])
def test_decompression_bombs_are_refused_before_they_take_memory(
    tmp_path: Path, unsized: bool
) -> None:
    """Reliability report, HIGH #2: a 27 kB 8-channel FLAC added 1-1.8 GB of memory (and 0.9 GB
    of temp files) before its length was checked."""
    import tracemalloc

    from voxcap.errors import AudioTooLong

    bomb = _bomb(tmp_path, 8, 600, unsized)
    assert bomb.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(AudioTooLong, match="longer than the limit of 120 s"):
            decode(bomb, max_seconds=120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 121 s of mono float32 at 48 kHz is 23 MB; 10 minutes of 8 channels would be 922 MB
    assert peak < 60 * 2**20, peak


def test_many_channels_are_mixed_down_block_by_block(tmp_path: Path) -> None:
    """Within the limit, memory is that of the mono result, not of every channel."""
    import tracemalloc

    bomb = _bomb(tmp_path, 8, 60)
    tracemalloc.start()
    try:
        audio = decode(bomb, max_seconds=120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    mono = 60 * 48000 * 4
    assert audio.sample_rate == 48000 and abs(audio.duration - 60) < 0.01
    assert np.allclose(audio.samples[:1000], 0.5, atol=1e-3)
    assert peak < 2.5 * mono, (peak, mono)  # the 8 channels at once would be 8x
