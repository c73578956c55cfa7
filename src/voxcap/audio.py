"""Audio in and out: decode (libsndfile, or ffmpeg for any other container), resample (soxr),
encode (libsndfile, ffmpeg). Loudness is :mod:`voxcap.loudness`."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voxcap.domain import Audio
from voxcap.errors import AudioDecodeError, EngineError, MissingDependency, UnknownFormat

# file names that mark a path as an audio clip (a reference to clone)
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".webm"})


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """An output container/codec. ``rates`` lists the sample rates the codec accepts;
    ``encoder`` names the entry of ENCODERS that writes it."""

    name: str
    extension: str
    sf_format: str
    subtype: str | None
    media_type: str
    rates: tuple[int, ...] = ()
    encoder: str = "sndfile"  # the entry of ENCODERS that writes it


FORMATS: dict[str, AudioFormat] = {
    "wav": AudioFormat("wav", "wav", "WAV", "PCM_16", "audio/wav"),
    "flac": AudioFormat("flac", "flac", "FLAC", "PCM_16", "audio/flac"),
    "mp3": AudioFormat(
        "mp3",
        "mp3",
        "MP3",
        "MPEG_LAYER_III",
        "audio/mpeg",
        (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    ),
    "opus": AudioFormat(
        "opus", "ogg", "OGG", "OPUS", "audio/ogg", (8000, 12000, 16000, 24000, 48000)
    ),
    # AAC (ADTS) through ffmpeg; raw 16-bit little-endian PCM at 24 kHz (OpenAI's "pcm")
    "aac": AudioFormat("aac", "aac", "", None, "audio/aac", (24000,), encoder="ffmpeg"),
    "pcm": AudioFormat("pcm", "pcm", "", None, "audio/pcm", (24000,), encoder="raw"),
}


def audio_format(name: str) -> AudioFormat:
    """The format called ``name``. Raises UnknownFormat."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UnknownFormat(
            f"unknown audio format {name!r}; choose one of: {', '.join(FORMATS)}"
        ) from None


def decode(source: Path | bytes) -> Audio:
    """Decode WAV/FLAC/OGG/MP3 to mono float32.

    Raises:
        AudioDecodeError: the file is missing, unreadable, corrupt or empty.
    """
    name = str(source) if isinstance(source, Path) else "audio"
    try:
        data, rate = sf.read(
            source if isinstance(source, Path) else io.BytesIO(source),
            dtype="float32",
            always_2d=True,
        )
    except (sf.LibsndfileError, OSError, RuntimeError, ValueError) as exc:
        raise AudioDecodeError(f"cannot read {name}: {exc}") from None
    if data.size == 0:
        raise AudioDecodeError(f"{name} contains no audio")
    return Audio(np.ascontiguousarray(data.mean(axis=1), dtype=np.float32), int(rate))


def resample(audio: Audio, rate: int) -> Audio:
    """``audio`` at ``rate`` Hz (soxr, high quality); unchanged if already there."""
    if audio.sample_rate == rate:
        return audio
    out = soxr.resample(audio.samples, audio.sample_rate, rate, quality="HQ")
    return Audio(np.asarray(out, dtype=np.float32), rate)


def encode(audio: Audio, fmt: AudioFormat) -> bytes:
    """Encode ``audio`` in ``fmt``, resampling first when the codec needs another rate."""
    if fmt.rates and audio.sample_rate not in fmt.rates:
        target = min((r for r in fmt.rates if r >= audio.sample_rate), default=fmt.rates[-1])
        audio = resample(audio, target)
    return ENCODERS[fmt.encoder](audio, fmt)


def _sndfile(audio: Audio, fmt: AudioFormat) -> bytes:
    buffer = io.BytesIO()
    sf.write(
        buffer,
        np.clip(audio.samples, -1, 1),
        audio.sample_rate,
        format=fmt.sf_format,
        subtype=fmt.subtype,
    )
    return buffer.getvalue()


def _pcm16(audio: Audio, fmt: AudioFormat) -> bytes:
    pcm: bytes = (np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm


def _ffmpeg(audio: Audio, fmt: AudioFormat) -> bytes:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise MissingDependency(f"{fmt.name} needs ffmpeg (apt-get install ffmpeg)")
    done = subprocess.run(
        [
            exe,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "s16le",
            "-ar",
            str(audio.sample_rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-c:a",
            fmt.name,
            "-b:a",
            "96k",
            "-f",
            "adts",
            "pipe:1",
        ],
        input=_pcm16(audio, fmt),
        capture_output=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise EngineError(f"ffmpeg could not encode {fmt.name}: {done.stderr.decode()[-300:]}")
    return done.stdout


ENCODERS: dict[str, Callable[[Audio, AudioFormat], bytes]] = {
    "sndfile": _sndfile,
    "raw": _pcm16,
    "ffmpeg": _ffmpeg,
}


def trim_silence(audio: Audio, threshold_db: float = -40.0, margin: float = 0.1) -> Audio:
    """Cut leading and trailing silence: 20 ms frames quieter than ``threshold_db`` below the
    loudest frame, keeping ``margin`` seconds of lead-in and tail."""
    frame = max(1, round(0.02 * audio.sample_rate))
    count = len(audio.samples) // frame
    if count == 0:
        return audio
    frames = audio.samples[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-12
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > threshold_db)
    pad = round(margin * audio.sample_rate)
    start = max(0, int(loud[0]) * frame - pad)
    end = min(len(audio.samples), (int(loud[-1]) + 1) * frame + pad)
    return Audio(audio.samples[start:end], audio.sample_rate)


def peak_dbfs(audio: Audio) -> float:
    """The peak level in dBFS (-inf for digital silence)."""
    peak = float(np.max(np.abs(audio.samples))) if len(audio.samples) else 0.0
    return 20 * float(np.log10(peak)) if peak > 0 else float("-inf")
