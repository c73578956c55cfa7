"""The voice library: reference clips with transcripts, kept in a Store.

Workers keep a local copy of each reference (``reference()``): concurrent processes download a
voice once under an ``flock`` (released by the kernel if the holder dies), write it to a temp
file and rename it into place, so nobody reads a half-written file.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pysubs2

from voxcap import audio as audio_io
from voxcap.align.base import Aligner
from voxcap.domain import Audio, Reference, Voice
from voxcap.errors import (
    InvalidInput,
    ObjectNotFound,
    TooLarge,
    VoiceAudioInvalid,
    VoiceExists,
    VoiceNotFound,
    VoxcapError,
)
from voxcap.fetch import FetchPolicy, fetch
from voxcap.reference import MIN_SECONDS, SILENT_DBFS, Transcribe, prepare_reference
from voxcap.reference import RATE as REFERENCE_RATE
from voxcap.settings import Settings
from voxcap.storage import Store, keys
from voxcap.storage.local import write_atomic

log = logging.getLogger(__name__)

MAX_SECONDS = 30.0  # longest clip kept (a cloning engine uses at most its first 12 s)


class VoiceLibrary:
    """Add, list, show, rename and delete voices; cache references on local disk."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._policy = FetchPolicy.of(
            settings.max_voice_bytes, settings.fetch_timeout, settings.fetch_allow_networks
        )

    # ---------------------------------------------------------------- adding
    def add_from(
        self, name: str, location: str, transcript: str = "", replace: bool = False
    ) -> Voice:
        """Add a voice from a file path or an http(s) URL."""
        if location.startswith(("http://", "https://")):
            keys.voice_name(name)  # refuse a bad name before any network traffic
            data, filename = fetch(location, self._policy)
            return self.add(
                name,
                data,
                transcript=transcript,
                filename=filename,
                source=location.split("?", 1)[0],
                replace=replace,
            )
        path = Path(location).expanduser()
        if not path.is_file():
            raise InvalidInput(f"no audio file at {location}")
        if path.stat().st_size > self.settings.max_voice_bytes:
            raise TooLarge(
                f"{path.name} is over the limit of {self.settings.max_voice_bytes:,} bytes"
            )
        return self.add(
            name,
            path.read_bytes(),
            transcript=transcript,
            filename=path.name,
            source=f"file:{path.name}",
            replace=replace,
        )

    def add(
        self,
        name: str,
        data: bytes,
        *,
        transcript: str,
        filename: str,
        source: str,
        replace: bool = False,
    ) -> Voice:
        """Validate a clip and store it with its normalised reference and transcript.

        Raises:
            InvalidVoiceName, VoiceExists, TooLarge, AudioDecodeError, VoiceAudioInvalid.
        """
        keys.voice_name(name)
        if not replace and self.store.exists(keys.voice_meta(name)):
            raise VoiceExists(f"voice {name!r} already exists; delete it or pass replace")
        if len(data) > self.settings.max_voice_bytes:
            raise TooLarge(f"the clip is over the limit of {self.settings.max_voice_bytes:,} bytes")
        reference = _reference(audio_io.decode(data, filename))
        suffix = Path(filename).suffix or ".bin"
        voice = Voice(
            name,
            round(reference.duration, 3),
            REFERENCE_RATE,
            transcript.strip(),
            datetime.now(UTC).isoformat(timespec="seconds"),
            source,
            keys.voice_original(name, suffix),
            len(data),
        )
        if replace:
            self.delete(name, missing_ok=True)
        wav = audio_io.encode(reference, audio_io.FORMATS["wav"])
        self._write_all(
            name,
            [
                (voice.original, data, "application/octet-stream"),
                (keys.voice_reference(name), wav, "audio/wav"),
                (
                    keys.voice_transcript(name),
                    voice.transcript.encode(),
                    "text/plain; charset=utf-8",
                ),
                (keys.voice_meta(name), json.dumps(asdict(voice)).encode(), "application/json"),
            ],
        )
        return voice

    def _write_all(self, name: str, objects: list[tuple[str, bytes, str]]) -> None:
        """Write every object or none: voice.json goes last and marks the voice complete."""
        written: list[str] = []
        try:
            for key, blob, content_type in objects:
                self.store.put(key, blob, content_type)
                written.append(key)
        except VoxcapError:
            for key in written:
                self.store.delete(key)
            raise

    # ---------------------------------------------------------------- reading
    def get(self, name: str) -> Voice:
        """The voice called ``name``. Raises VoiceNotFound."""
        try:
            meta = json.loads(self.store.get(keys.voice_meta(name)))
        except ObjectNotFound:
            raise VoiceNotFound(f"no voice named {name!r} in {self.store.url}") from None
        return Voice(**meta)

    def exists(self, name: str) -> bool:
        return self.store.exists(keys.voice_meta(name))

    def list(self) -> list[Voice]:
        names = [k.split("/")[1] for k in self.store.list(keys.VOICES) if k.endswith("/voice.json")]
        return [self.get(n) for n in names]

    def rename(self, old: str, new: str) -> Voice:
        """Give voice ``old`` the name ``new``. Raises VoiceNotFound, VoiceExists."""
        voice = self.get(old)
        if self.exists(new):
            raise VoiceExists(f"voice {new!r} already exists")
        suffix = Path(voice.original).suffix
        renamed = Voice(
            **{**asdict(voice), "name": new, "original": keys.voice_original(new, suffix)}
        )
        self._write_all(
            new,
            [
                (renamed.original, self.store.get(voice.original), "application/octet-stream"),
                (keys.voice_reference(new), self.store.get(keys.voice_reference(old)), "audio/wav"),
                (
                    keys.voice_transcript(new),
                    renamed.transcript.encode(),
                    "text/plain; charset=utf-8",
                ),
                (keys.voice_meta(new), json.dumps(asdict(renamed)).encode(), "application/json"),
            ],
        )
        self.delete(old)
        return renamed

    def delete(self, name: str, missing_ok: bool = False) -> None:
        """Remove a voice (its metadata first, so a half-deleted voice is not listed)."""
        if not missing_ok:
            self.get(name)
        self.store.delete(keys.voice_meta(name))
        for key in self.store.list(keys.voice_prefix(name)):
            self.store.delete(key)

    # ---------------------------------------------------------------- worker cache
    def reference(self, name: str) -> Path:
        """A local path of the voice's normalised reference WAV, downloaded once per version."""
        return self._local(self.get(name))

    def _local(self, voice: Voice) -> Path:
        name = voice.name
        version = hashlib.sha256(f"{voice.name}\n{voice.created}".encode()).hexdigest()[:16]
        folder = self.settings.voice_cache_dir / name
        target = folder / f"{version}.wav"
        if target.is_file():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a") as lock:  # flock dies with its holder: never stale
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not target.is_file():
                    for leftover in folder.glob(".tmp-*"):  # from a writer that was killed
                        leftover.unlink(missing_ok=True)
                    log.info("downloading voice %s from %s", name, self.store.url)
                    write_atomic(target, self.store.get(keys.voice_reference(name)))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return target

    def prepared(
        self, name: str, aligner: Aligner, transcribe: Transcribe | None = None
    ) -> Reference:
        """The voice ready to clone: its reference cut to at most 12 s at a pause, with the
        transcript cut at the same word (:mod:`voxcap.reference`). Cached on local disk beside
        the reference, so only the first request after a change aligns."""
        voice = self.get(name)
        local = self._local(voice)
        wav, txt = local.with_suffix(".prepared.wav"), local.with_suffix(".prepared.txt")
        if wav.is_file() and txt.is_file():
            return Reference(name, audio_io.decode(wav.read_bytes()), txt.read_text())
        reference = prepare_reference(
            audio_io.decode(local.read_bytes()),
            voice.transcript,
            aligner,
            name=name,
            transcribe=transcribe,
        )
        write_atomic(txt, reference.text.encode())
        write_atomic(wav, audio_io.encode(reference.audio, audio_io.FORMATS["wav"]))
        return reference


def _reference(clip: Audio) -> Audio:
    """Mono 24 kHz, silence trimmed; 1-30 s of speech. Raises VoiceAudioInvalid."""
    if audio_io.peak_dbfs(clip) < SILENT_DBFS:
        raise VoiceAudioInvalid("the clip is silent")
    trimmed = audio_io.trim_silence(clip)
    if not MIN_SECONDS <= trimmed.duration <= MAX_SECONDS:
        raise VoiceAudioInvalid(
            f"the clip has {trimmed.duration:.1f} s of speech after trimming silence; "
            f"give {MIN_SECONDS:.0f}-{MAX_SECONDS:.0f} s"
        )
    return audio_io.resample(trimmed, REFERENCE_RATE)


# ---------------------------------------------------------------- transcripts
def _subtitles(data: str, fmt: str) -> str:
    subs = pysubs2.SSAFile.from_string(data, format_=fmt)
    return " ".join(e.plaintext.replace("\n", " ").strip() for e in subs if e.plaintext.strip())


def _csv_text(data: str) -> str:
    rows = list(csv.DictReader(io.StringIO(data)))
    if not rows:
        return ""
    column = "text" if "text" in rows[0] else next(iter(rows[0]))
    return " ".join((r[column] or "").strip() for r in rows if (r[column] or "").strip())


TRANSCRIPT_READERS: dict[str, Callable[[str], str]] = {
    ".txt": lambda data: " ".join(data.split()),
    ".srt": lambda data: _subtitles(data, "srt"),
    ".vtt": lambda data: _subtitles(data, "vtt"),
    ".csv": _csv_text,
}


def transcript_text(data: bytes, filename: str) -> str:
    """Plain text of a transcript file (.txt, .srt, .vtt or .csv with a ``text`` column)."""
    suffix = Path(filename).suffix.lower() or ".txt"
    if suffix not in TRANSCRIPT_READERS:
        raise InvalidInput(
            f"unknown transcript type {suffix!r}; use one of {', '.join(TRANSCRIPT_READERS)}"
        )
    try:
        text = data.decode("utf-8-sig")
        return TRANSCRIPT_READERS[suffix](text).strip()
    except (UnicodeDecodeError, ValueError, KeyError, pysubs2.Pysubs2Error) as exc:
        raise InvalidInput(f"cannot read transcript {filename}: {exc}") from None
