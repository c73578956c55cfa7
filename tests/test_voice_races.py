"""The voice library under concurrency, and voices scoped to API keys (reliability report #5,
security review): concurrent adds, replaces, deletes and lists on the local store and on a real
S3 server (SeaweedFS, which honours ``If-None-Match: *``)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import soundfile as sf

from voxcap.errors import AuthRejected, ObjectExists, VoiceExists, VoiceNotFound, VoxcapError
from voxcap.settings import Settings
from voxcap.storage import create_store
from voxcap.voices import VoiceLibrary

from .servers import S3Server

KEY_A = "key:0123456789abcdef"
KEY_B = "key:fedcba9876543210"


def local_library(tmp_path: Path) -> VoiceLibrary:
    settings = Settings(storage=f"file://{tmp_path / 'store'}", voice_cache_dir=tmp_path / "c")
    return VoiceLibrary(create_store(settings), settings)


@pytest.fixture
def s3_library(
    s3_server: S3Server,
    s3_bucket: str,
    s3_prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> VoiceLibrary:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    settings = Settings(
        storage=f"s3://{s3_bucket}/{s3_prefix}",
        s3_endpoint_url=s3_server.endpoint,
        s3_region="us-east-1",
        s3_addressing="path",
        voice_cache_dir=tmp_path / "c",
    )
    return VoiceLibrary(create_store(settings), settings)


def at_once(n: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` for i < n in n threads released together; results or exceptions."""
    gate = threading.Barrier(n)

    def run(i: int) -> object:
        gate.wait()
        try:
            return work(i)
        except VoxcapError as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def consistent(library: VoiceLibrary, name: str) -> None:
    """The voice's metadata names files that exist, of one version, and nothing else is left."""
    voice = library.get(name)
    folder = voice.original.rsplit("/", 1)[0]
    assert voice.reference == f"{folder}/reference.wav"
    assert library.store.get(voice.original) and library.store.get(voice.reference)
    files = library.store.list(f"voices/{name}/")
    assert f"{folder}/original.wav" in files or f"{folder}/original.mp3" in files
    originals = [f for f in files if f.startswith(f"{folder}/original")]
    assert len(originals) == 1, files  # never both original.mp3 and original.wav


@pytest.mark.parametrize("store", ["local", "s3"])
def test_concurrent_adds_of_one_name_make_exactly_one_voice(
    store: str, tmp_path: Path, clip_wav: bytes, request: pytest.FixtureRequest
) -> None:
    library = local_library(tmp_path) if store == "local" else request.getfixturevalue("s3_library")
    results = at_once(
        8,
        lambda i: library.add(
            "race", clip_wav, transcript=f"take {i}", filename="a.wav", source=f"t{i}"
        ),
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(r, VoiceExists) for r in results if isinstance(r, Exception))
    assert library.get("race").transcript == winners[0].transcript  # type: ignore[attr-defined]
    consistent(library, "race")
    versions = {f.split("/")[2] for f in library.store.list("voices/race/") if f.count("/") == 3}
    assert len(versions) == 1  # the losers left nothing behind


def test_concurrent_replaces_never_mix_files(tmp_path: Path, clip_wav: bytes) -> None:
    library = local_library(tmp_path)
    samples, rate = sf.read(io.BytesIO(clip_wav), dtype="float32")
    flac = io.BytesIO()
    sf.write(flac, samples, rate, format="FLAC")
    clips = [(clip_wav, "a.wav"), (flac.getvalue(), "a.flac")]
    for _ in range(3):
        results = at_once(
            6,
            lambda i: library.add(
                "rep",
                clips[i % 2][0],
                transcript=str(i),
                filename=clips[i % 2][1],
                source="t",
                replace=True,
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        voice = library.get("rep")
        assert library.store.get(voice.original) and library.store.get(voice.reference)
        folder = voice.original.rsplit("/", 1)[0]
        assert len([k for k in library.store.list(folder + "/") if "/original" in k]) == 1


def test_listing_while_voices_come_and_go_never_fails(tmp_path: Path, clip_wav: bytes) -> None:
    library = local_library(tmp_path)
    library.add("steady", clip_wav, transcript="", filename="a.wav", source="t")
    stop = threading.Event()

    def churn() -> None:
        i = 0
        while not stop.is_set():
            library.add(f"churn-{i % 3}", clip_wav, transcript="", filename="a.wav", source="t")
            library.delete(f"churn-{i % 3}")
            i += 1

    thread = threading.Thread(target=churn)
    thread.start()
    lists = 0
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            names = [v.name for v in library.list()]
            assert "steady" in names
            lists += 1
    finally:
        stop.set()
        thread.join()
    assert lists > 20


@pytest.mark.parametrize("store", ["local", "s3"])
def test_an_exclusive_put_has_one_winner(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    library = local_library(tmp_path) if store == "local" else request.getfixturevalue("s3_library")
    results = at_once(6, lambda i: library.store.put("x/once", str(i).encode(), exclusive=True))
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, ObjectExists) for r in results if r is not None)


def test_voices_are_private_to_the_key_that_added_them(tmp_path: Path, clip_wav: bytes) -> None:
    shared = local_library(tmp_path)
    a, b = shared.for_caller(KEY_A), shared.for_caller(KEY_B)
    shared.add("house", clip_wav, transcript="operator", filename="a.wav", source="t")
    a.add("mine", clip_wav, transcript="a's", filename="a.wav", source="t")
    a.add("house", clip_wav, transcript="a's own house", filename="a.wav", source="t")

    assert [(v.name, v.shared) for v in a.list()] == [("house", False), ("mine", False)]
    assert [(v.name, v.shared) for v in b.list()] == [("house", True)]
    assert [v.name for v in shared.list()] == ["house"]
    assert a.get("house").transcript == "a's own house" and b.get("house").transcript == "operator"
    with pytest.raises(VoiceNotFound):
        b.get("mine")
    with pytest.raises(VoiceNotFound):
        b.delete("mine")
    with pytest.raises(AuthRejected):
        b.delete("house")  # shared: only the operator deletes it
    assert a.locate("mine") == "_0123456789abcdef/mine" and b.locate("house") == "house"
    assert shared.reference(a.locate("mine")).is_file()  # a worker resolves the job's voice
    a.delete("house")  # a's own; the shared one shows through again
    assert a.get("house").transcript == "operator"


def test_a_voice_in_the_old_layout_still_works(tmp_path: Path, clip_wav: bytes) -> None:
    """Voices stored before version folders (files directly under voices/{name}/)."""
    library = local_library(tmp_path)
    library.store.put("voices/old/original.wav", clip_wav)
    library.store.put("voices/old/reference.wav", clip_wav)
    library.store.put("voices/old/transcript.txt", b"hi")
    meta = {
        "name": "old",
        "duration": 2.0,
        "sample_rate": 24000,
        "transcript": "hi",
        "created": "2026-01-01T00:00:00+00:00",
        "source": "file:old.wav",
        "original": "voices/old/original.wav",
        "bytes": len(clip_wav),
    }
    library.store.put("voices/old/voice.json", json.dumps(meta).encode())
    assert library.reference("old").read_bytes() == clip_wav
    library.delete("old")
    assert library.store.list("voices/") == []
