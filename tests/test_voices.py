"""The voice library on real speech, over the local store and a real S3 server."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voxcap.errors import (
    AudioDecodeError,
    InvalidVoiceName,
    TooLarge,
    UrlRefused,
    VoiceAudioInvalid,
    VoiceExists,
    VoiceNotFound,
)
from voxcap.settings import Settings
from voxcap.storage import create_store
from voxcap.transcripts import transcript_text
from voxcap.voices import VoiceLibrary

from .conftest import CLIP_TEXT
from .servers import S3Server
from .voice_worker import fetch_reference, hang_in_download


def library_at(tmp_path: Path, **overrides: object) -> VoiceLibrary:
    settings = Settings(
        storage=f"file://{tmp_path / 'store'}", voice_cache_dir=tmp_path / "cache", **overrides
    )
    return VoiceLibrary(create_store(settings), settings)


def padded(clip_wav: bytes, before: float, after: float) -> bytes:
    """The clip with silence added around it (to be trimmed again)."""
    samples, rate = sf.read(io.BytesIO(clip_wav), dtype="float32")
    pad = lambda s: np.zeros(int(s * rate), dtype=np.float32)  # noqa: E731
    buffer = io.BytesIO()
    sf.write(buffer, np.concatenate([pad(before), samples, pad(after)]), rate, format="WAV")
    return buffer.getvalue()


def test_add_keeps_original_reference_transcript_and_metadata(
    tmp_path: Path, clip_wav: bytes
) -> None:
    library = library_at(tmp_path)
    clip = tmp_path / "kim.wav"
    clip.write_bytes(padded(clip_wav, 2.0, 2.0))
    voice = library.add_from("kim", str(clip), transcript=f"  {CLIP_TEXT}\n")
    original = sf.info(io.BytesIO(clip_wav)).duration
    assert abs(voice.duration - original) < 0.5  # the 4 s of added silence is trimmed
    assert voice.transcript == CLIP_TEXT and voice.source == "file:kim.wav"
    assert voice.sample_rate == 24_000 and voice.bytes == clip.stat().st_size
    store = library.store
    folder = voice.original.rsplit("/", 1)[0]
    assert sorted(store.list("voices/kim/")) == [
        f"{folder}/original.wav",
        f"{folder}/reference.wav",
        f"{folder}/transcript.txt",
        "voices/kim/voice.json",
    ]
    assert voice.reference == f"{folder}/reference.wav"
    info = sf.info(io.BytesIO(store.get(voice.reference)))
    assert (info.samplerate, info.channels) == (24_000, 1)
    assert store.get(voice.original) == clip.read_bytes()
    assert library.get("kim") == voice and [v.name for v in library.list()] == ["kim"]


def test_rename_delete_and_conflicts(tmp_path: Path, clip_wav: bytes) -> None:
    library = library_at(tmp_path)
    library.add("kim", clip_wav, transcript="hi", filename="kim.flac", source="upload:kim.flac")
    with pytest.raises(VoiceExists):
        library.add("kim", clip_wav, transcript="", filename="x.wav", source="upload:x.wav")
    library.add(
        "kim", clip_wav, transcript="again", filename="x.wav", source="upload:x.wav", replace=True
    )
    replaced = library.get("kim")
    assert replaced.transcript == "again"
    folder = replaced.original.rsplit("/", 1)[0]  # the first version's files are gone
    assert library.store.list("voices/kim/") == [
        f"{folder}/original.wav",
        f"{folder}/reference.wav",
        f"{folder}/transcript.txt",
        "voices/kim/voice.json",
    ]
    renamed = library.rename("kim", "kim-2")
    assert renamed.name == "kim-2" and [v.name for v in library.list()] == ["kim-2"]
    library.delete("kim-2")
    assert library.list() == [] and library.store.list("voices/") == []
    with pytest.raises(VoiceNotFound):
        library.delete("kim-2")


@pytest.mark.parametrize("name", ["../evil", "Kim", "", "a" * 65, "a/b", "-x", "kim.wav"])
def test_unsafe_names_are_refused(tmp_path: Path, clip_wav: bytes, name: str) -> None:
    with pytest.raises(InvalidVoiceName):
        library_at(tmp_path).add(name, clip_wav, transcript="", filename="a.wav", source="t")


def test_bad_clips_are_refused_and_leave_nothing(tmp_path: Path, clip_wav: bytes) -> None:
    library = library_at(tmp_path, max_voice_bytes=2_000_000)
    rate = 24_000

    def wav(samples: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        sf.write(buffer, samples.astype(np.float32), rate, format="WAV")
        return buffer.getvalue()

    tone = lambda s: 0.3 * np.sin(np.arange(int(s * rate)) * 2 * np.pi * 220 / rate)  # noqa: E731
    cases = [
        (wav(np.zeros(rate * 3)), VoiceAudioInvalid, "silent"),
        (wav(tone(0.5)), VoiceAudioInvalid, "0.5 s of speech"),
        (wav(tone(31)), VoiceAudioInvalid, "give 1-30 s"),
        (b"RIFF\x00\x00\x00\x00WAVEjunk", AudioDecodeError, "cannot read"),
        (b"\x00" * 2_000_001, TooLarge, "limit"),
    ]
    for data, error, message in cases:
        with pytest.raises(error, match=message):
            library.add("bad", data, transcript="", filename="b.wav", source="upload:b.wav")
    assert library.store.list("voices/") == []


def test_transcript_files_become_plain_text() -> None:
    srt = (
        b"1\n00:00:00,000 --> 00:00:01,000\nHello there,\n\n2\n00:00:01,000 --> 00:00:02,000\n"
        b"general Kenobi.\n"
    )
    vtt = (
        b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello there,\n\n00:01.000 --> 00:02.000\n"
        b"general Kenobi.\n"
    )
    csv = b"index,text,start,end\n0,Hello,0.0,0.5\n1,there,,\n"
    assert transcript_text(srt, "t.srt") == "Hello there, general Kenobi."
    assert transcript_text(vtt, "t.vtt") == "Hello there, general Kenobi."
    assert transcript_text(csv, "t.csv") == "Hello there"
    assert transcript_text(b"\xef\xbb\xbf  Hello\n there ", "t.txt") == "Hello there"


def test_add_from_url(tmp_path: Path, clip_server: str) -> None:
    with pytest.raises(UrlRefused):
        library_at(tmp_path).add_from("web", f"{clip_server}/voices/web.wav?sig=1")
    library = library_at(tmp_path, fetch_allow_networks=["127.0.0.0/8"])
    voice = library.add_from("web", f"{clip_server}/voices/web.wav?sig=1", "hello")
    assert voice.source == f"{clip_server}/voices/web.wav"
    assert voice.original.startswith("voices/web/v") and voice.original.endswith("/original.wav")


def test_library_over_s3(
    s3_server: S3Server,
    s3_bucket: str,
    s3_prefix: str,
    clip_wav: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    settings = Settings(
        storage=f"s3://{s3_bucket}/{s3_prefix}",
        s3_endpoint_url=s3_server.endpoint,
        s3_region="us-east-1",
        s3_addressing="path",
        voice_cache_dir=tmp_path,
    )
    library = VoiceLibrary(create_store(settings), settings)
    library.add("kim", clip_wav, transcript=CLIP_TEXT, filename="kim.wav", source="upload:kim.wav")
    assert [v.name for v in library.list()] == ["kim"]
    path = library.reference("kim")
    assert path.read_bytes() == library.store.get(library.get("kim").reference)


@pytest.mark.slow
def test_eight_processes_download_once(tmp_path: Path, clip_wav: bytes) -> None:
    library = library_at(tmp_path)
    library.add("kim", clip_wav, transcript="", filename="kim.wav", source="upload:kim.wav")
    settings_json = library.settings.model_dump_json()
    logs = [str(tmp_path / f"log{i}.txt") for i in range(8)]
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        digests = pool.starmap(fetch_reference, [(settings_json, "kim", log) for log in logs])
    downloads = sum(Path(log).read_text().count("downloading voice kim") for log in logs)
    assert downloads == 1
    expected = hashlib.sha256(library.store.get(library.get("kim").reference)).hexdigest()
    assert digests == [expected] * 8
    cached = sorted(p.name for p in (tmp_path / "cache" / "kim").iterdir())
    assert len(cached) == 2 and cached[0] == ".lock" and cached[1].endswith(".wav")


@pytest.mark.slow
def test_a_killed_download_blocks_nobody(tmp_path: Path, clip_wav: bytes) -> None:
    library = library_at(tmp_path)
    library.add("kim", clip_wav, transcript="", filename="kim.wav", source="upload:kim.wav")
    marker = tmp_path / "marker"
    child = multiprocessing.get_context("spawn").Process(
        target=hang_in_download, args=(library.settings.model_dump_json(), "kim", str(marker))
    )
    child.start()
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline, "the child never started downloading"
        time.sleep(0.05)
    folder = tmp_path / "cache" / "kim"
    (folder / ".tmp-halfwritten").write_bytes(b"RIFF partial")  # what a crash mid-write leaves
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join()
    started = time.monotonic()
    path = library.reference("kim")
    assert time.monotonic() - started < 10
    assert path.read_bytes() == library.store.get(library.get("kim").reference)
    assert sorted(p.name for p in folder.iterdir()) == [".lock", path.name]
