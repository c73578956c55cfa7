"""Audio in and out: decode (libsndfile, or ffmpeg for any other container), resample (soxr),
encode (libsndfile, ffmpeg). Loudness is :mod:`voxcap.loudness`."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr

from voxcap.domain import Audio
from voxcap.errors import (
    AudioDecodeError,
    AudioTooLong,
    EngineError,
    MissingDependency,
    UnknownFormat,
)

# the containers ffmpeg may open for a user's media (its demuxers' names): never a playlist
# (HLS, DASH), a concat list or a device, whose entries would open other files or URLs
DEMUXERS = (
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,asf,mpegts,flv,aac,mp3,wav,w64,flac,ogg,"
    "amr,amrnb,amrwb,caf,aiff,au"
)
# file names that mark a path as an audio clip (a reference to clone)
AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".webm", ".mp4", ".mov", ".mkv"}
    | {".aiff", ".aif", ".wma", ".amr", ".3gp", ".caf", ".m4v", ".avi"}
)


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


MAX_SECONDS = 3 * 3600.0  # the default bound on decoded audio (VOXCAP_MAX_AUDIO_SECONDS)
MAX_RATE = 192_000  # the highest sample rate read
_BLOCK_SAMPLES = 1 << 20  # samples (over all channels) read at a time while mixing down


def decode(
    source: Path | bytes, name: str | None = None, max_seconds: float = MAX_SECONDS
) -> Audio:
    """Decode any audio ffmpeg reads to mono float32: WAV, FLAC, OGG/Opus and MP3 through
    libsndfile; M4A/AAC, MP4/MOV/WebM/MKV soundtracks and the rest through ffmpeg. ``name``
    names the file in errors (default: the path, or "the audio").

    Memory is bounded by ``max_seconds`` of mono audio at most 192 kHz, whatever the file says:
    channels are mixed down block by block, the header's length is checked before decoding
    and the decoded length while decoding (a 100 kB FLAC can hold an hour of 8 channels).

    Raises:
        AudioDecodeError: the file is missing, unreadable, corrupt, empty or has no audio track.
        AudioTooLong: it would decode to more than ``max_seconds``, or its rate is over 192 kHz.
        MissingDependency: the file needs ffmpeg and it is not installed.
    """
    name = name or (str(source) if isinstance(source, Path) else "the audio")
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        raise AudioDecodeError(f"cannot read {name}: {exc.strerror}") from None
    if not data:
        raise AudioDecodeError(f"{name} is empty")
    samples, rate = DECODERS[_container(data)](data, name, max_seconds)
    if samples.size == 0:
        raise AudioDecodeError(f"{name} contains no audio")
    return Audio(samples, int(rate))


# leading bytes of the containers libsndfile reads itself; anything else goes to ffmpeg
_SNDFILE_MAGIC: tuple[bytes, ...] = (b"RIFF", b"RF64", b"fLaC", b"OggS", b"ID3", b"FORM")
_SNDFILE_MAGIC += (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa", b".snd", b"caff")


def _container(data: bytes) -> str:
    """Which decoder reads ``data``: "sndfile" for WAV/FLAC/OGG/MP3/AIFF, "ffmpeg" for the rest
    (MP4/M4A/MOV "ftyp", WebM/MKV, ADTS AAC, ...) and for a FLAC whose length is unknown (a
    streamed one: libsndfile cannot size it)."""
    if _unsized_flac(data):
        return "ffmpeg"
    return "sndfile" if data.startswith(_SNDFILE_MAGIC) else "ffmpeg"


def _unsized_flac(data: bytes) -> bool:
    """A FLAC stream whose STREAMINFO gives 0 total samples (36 bits from its 14th byte)."""
    if not data.startswith(b"fLaC") or len(data) < 8 + 18:
        return False
    info = data[8:]
    return ((info[13] & 0x0F) << 32 | int.from_bytes(info[14:18], "big")) == 0


def _too_long(name: str, max_seconds: float) -> AudioTooLong:
    return AudioTooLong(f"{name} is longer than the limit of {max_seconds:g} s")


def _read_sndfile(data: bytes, name: str, max_seconds: float) -> tuple[np.ndarray[Any, Any], int]:
    """Mono samples and the rate: the header's length checked first, then the channels mixed
    down a block at a time (never frames x channels in memory), stopping past the limit."""
    try:
        with sf.SoundFile(io.BytesIO(data)) as sound:
            rate, channels = int(sound.samplerate), int(sound.channels)
            if rate > MAX_RATE:
                raise AudioTooLong(
                    f"{name} has a sample rate of {rate:,} Hz; the limit is {MAX_RATE:,}"
                )
            limit = int(max_seconds * rate)
            if sound.frames > limit:
                raise _too_long(name, max_seconds)
            block = max(1, _BLOCK_SAMPLES // max(channels, 1))
            parts: list[np.ndarray[Any, Any]] = []
            frames = 0
            while len(read := sound.read(block, dtype="float32", always_2d=True)):
                frames += len(read)
                if frames > limit:  # a header that understated the length
                    raise _too_long(name, max_seconds)
                parts.append(read.mean(axis=1, dtype=np.float32))
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        reason = str(exc).rsplit(": ", 1)[-1]  # not the BytesIO's repr
        raise AudioDecodeError(f"cannot read {name}: {reason}") from None
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return np.ascontiguousarray(samples, dtype=np.float32), rate


def _read_ffmpeg(data: bytes, name: str, max_seconds: float) -> tuple[np.ndarray[Any, Any], int]:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise MissingDependency(f"reading {name} needs ffmpeg (apt-get install ffmpeg)")
    with tempfile.TemporaryDirectory(prefix="voxcap-decode-") as folder:
        # a file, not a pipe: MP4/MOV keep their index at the end and need seeking
        source, target = Path(folder) / "in", Path(folder) / "out.wav"
        source.write_bytes(data)
        # mono, and at most a little over the limit (a longer file is refused below): the
        # output and its temp file stay bounded however many channels or hours the input holds
        over = max_seconds + 1.0
        done = subprocess.run(
            [
                *(exe, "-nostdin", "-hide_banner", "-loglevel", "error"),
                *("-protocol_whitelist", "file", "-format_whitelist", DEMUXERS),
                *("-i", str(source)),
                *("-map", "0:a:0", "-vn", "-ac", "1", "-t", f"{over:.3f}"),
                *("-fs", str(int(over * MAX_RATE * 4) + 4096), "-c:a", "pcm_f32le", str(target)),
            ],
            capture_output=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace")
            if "matches no streams" in said:
                raise AudioDecodeError(f"{name} has no audio track")
            if "not on whitelist" in said:
                raise AudioDecodeError(f"{name} is a playlist or a container voxcap does not open")
            if "Invalid data" in said or "Invalid argument" in said or "moov atom" in said:
                raise AudioDecodeError(f"{name} is not an audio or video file, or is damaged")
            last = said.strip().splitlines()[-1] if said.strip() else "unknown error"
            raise AudioDecodeError(f"cannot read {name}: {last.replace(str(source), name)}")
        return _read_sndfile(target.read_bytes(), name, max_seconds)


DECODERS: dict[str, Callable[[bytes, str, float], tuple[np.ndarray[Any, Any], int]]] = {
    "sndfile": _read_sndfile,
    "ffmpeg": _read_ffmpeg,
}


def resample(audio: Audio, rate: int) -> Audio:
    """``audio`` at ``rate`` Hz (soxr, high quality); unchanged if already there."""
    if audio.sample_rate == rate:
        return audio
    out = soxr.resample(audio.samples, audio.sample_rate, rate, quality="HQ")
    return Audio(np.asarray(out, dtype=np.float32), rate)


Progress = Callable[[float], None]
ENCODE_BLOCK = 10.0  # seconds of audio encoded between progress reports


def encode(audio: Audio, fmt: AudioFormat, progress: Progress | None = None) -> bytes:
    """Encode ``audio`` in ``fmt``, resampling first when the codec needs another rate;
    ``progress`` hears the fraction done (Opus runs at about 1/25 real time on a CPU, so a long
    narration takes a while)."""
    if fmt.rates and audio.sample_rate not in fmt.rates:
        target = min((r for r in fmt.rates if r >= audio.sample_rate), default=fmt.rates[-1])
        audio = resample(audio, target)
    data = ENCODERS[fmt.encoder](audio, fmt, progress or (lambda fraction: None))
    if progress:
        progress(1.0)
    return data


def _sndfile(audio: Audio, fmt: AudioFormat, progress: Progress) -> bytes:
    buffer = io.BytesIO()
    samples = np.clip(audio.samples, -1, 1)
    block = max(1, int(ENCODE_BLOCK * audio.sample_rate))
    with sf.SoundFile(
        buffer, "w", audio.sample_rate, 1, fmt.subtype, format=fmt.sf_format
    ) as sound:
        for start in range(0, len(samples), block):
            sound.write(samples[start : start + block])
            progress(min(1.0, (start + block) / len(samples)))
    return buffer.getvalue()


def _raw(audio: Audio, fmt: AudioFormat, progress: Progress) -> bytes:
    return _pcm16(audio, fmt)


def _pcm16(audio: Audio, fmt: AudioFormat) -> bytes:
    return pcm16(audio.samples, audio.sample_rate)


def pcm16(samples: np.ndarray[Any, Any], rate: int) -> bytes:
    """Raw 16-bit little-endian PCM, converted exactly as libsndfile writes WAV (so streamed
    or played samples equal those of the saved file)."""
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="RAW", subtype="PCM_16", endian="LITTLE")
    return buffer.getvalue()


def _ffmpeg(audio: Audio, fmt: AudioFormat, progress: Progress) -> bytes:
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


ENCODERS: dict[str, Callable[[Audio, AudioFormat, Progress], bytes]] = {
    "sndfile": _sndfile,
    "raw": _raw,
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
