"""Write a result's audio and caption files: into a folder (all or nothing) or into a Store."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voxcap.audio import FORMATS, AudioFormat, encode
from voxcap.captions import WRITERS, render_captions
from voxcap.domain import CaptionOptions, SpeechResult
from voxcap.errors import OutputError, VoxcapError
from voxcap.storage import Store, keys

if TYPE_CHECKING:
    from voxcap.pipeline import Listener
    from voxcap.video import VideoPlan


@dataclass(frozen=True, slots=True)
class Artifact:
    """One rendered file: ``kind`` is "audio" or a caption format name."""

    kind: str
    format: str
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class WrittenFile:
    format: str
    bytes: int
    url: str  # file:// for folders and the local store's own files, else a signed URL
    path: Path | None = None
    key: str | None = None
    expires_at: int | None = None


@dataclass(frozen=True, slots=True)
class Exported:
    audio: WrittenFile | None
    captions: dict[str, WrittenFile]
    timings: dict[str, float]
    video: WrittenFile | None = None


def render(
    result: SpeechResult,
    audio_format: AudioFormat | None,
    captions: list[str],
    options: CaptionOptions,
    video: VideoPlan | None = None,
    listener: Listener | None = None,
) -> tuple[list[Artifact], dict[str, float]]:
    """Encode the audio (unless ``audio_format`` is None), render the caption files, and the
    video when one is planned (its captions laid out for the video's frame)."""
    from voxcap.pipeline import ProgressEvent

    def reporter(stage: str) -> Callable[[float], None]:
        def report(fraction: float) -> None:
            if listener:
                listener(ProgressEvent(stage, fraction))

        return report

    artifacts: list[Artifact] = []
    started = time.perf_counter()
    if audio_format is not None:
        encoding = reporter("encode")
        encoding(0.0)
        data = encode(result.audio, audio_format, encoding)
        artifacts.append(
            Artifact(
                "audio",
                audio_format.name,
                f"speech.{audio_format.extension}",
                audio_format.media_type,
                data,
            )
        )
    timings = {"encode": time.perf_counter() - started}
    started = time.perf_counter()
    for name, data in render_captions(result, captions, options).items():
        writer = WRITERS[name]
        artifacts.append(Artifact(name, name, writer.filename, writer.media_type, data))
    timings["captions"] = time.perf_counter() - started
    if video is not None:
        from voxcap.video import render as render_video

        started = time.perf_counter()
        laid_out = replace(options, frame=video.frame)
        ass = render_captions(result, ["ass"], laid_out)["ass"]
        report = reporter("render")
        report(0.0)
        data = render_video(result.audio, ass, video, report)
        artifacts.append(Artifact("video", "mp4", "video.mp4", "video/mp4", data))
        timings["render"] = time.perf_counter() - started
    return artifacts, timings


# every file voxcap writes into an output folder: a run removes those it did not write
OUTPUT_NAMES = frozenset(
    {w.filename for w in WRITERS.values()}
    | {f"speech.{f.extension}" for f in FORMATS.values()}
    | {"video.mp4"}
)


def check_writable(out_dir: Path) -> None:
    """Raise OutputError unless ``out_dir`` is a writable folder or could be made in one.
    Nothing is created: a run that fails later leaves no empty folder behind."""
    existing = out_dir.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot create output folder {out_dir}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {out_dir} is not writable")


def to_folder(artifacts: list[Artifact], out_dir: Path, timings: dict[str, float]) -> Exported:
    """Write the files into ``out_dir``: to a temporary folder inside it first, moved into
    place only when all are written, so a failure leaves nothing half-written. Files an
    earlier run left there under voxcap's names (``video.mp4``, ``captions.vtt``...) that this
    run did not write are removed, so the folder holds one run; other files are left alone.

    Raises:
        OutputError: the folder cannot be written.
    """
    check_writable(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".voxcap-", dir=out_dir))
    except OSError as exc:
        raise OutputError(f"cannot write in {out_dir}: {exc.strerror}") from None
    try:
        for art in artifacts:
            (staging / art.filename).write_bytes(art.data)
        for art in artifacts:
            os.replace(staging / art.filename, out_dir / art.filename)
        written = {a.filename for a in artifacts}
        for stale in OUTPUT_NAMES - written:  # an earlier run's files would pass for this one's
            (out_dir / stale).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write in {out_dir}: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = {
        a.kind: WrittenFile(
            a.format,
            len(a.data),
            (out_dir / a.filename).resolve().as_uri(),
            path=out_dir / a.filename,
        )
        for a in artifacts
    }
    return _exported(files, timings)


def to_store(
    artifacts: list[Artifact],
    store: Store,
    job: str,
    timings: dict[str, float],
    expires: int | None = None,
) -> Exported:
    """Put the files under ``outputs/{job}/`` and hand them out by URL: the file itself for a
    local store, an expiring signed URL otherwise. A failure removes what was put."""
    put: list[str] = []
    try:
        for art in artifacts:
            key = keys.output(job, art.filename)
            store.put(key, art.data, art.media_type)
            put.append(key)
    except VoxcapError:
        for key in put:
            store.delete(key)
        raise
    files: dict[str, WrittenFile] = {}
    for art, key in zip(artifacts, put, strict=True):
        local = store.local_path(key)
        if local is not None:
            files[art.kind] = WrittenFile(
                art.format, len(art.data), local.as_uri(), path=local, key=key
            )
        else:
            signed = store.signed_url(key, expires, art.filename)
            files[art.kind] = WrittenFile(
                art.format, len(art.data), signed.url, key=key, expires_at=signed.expires_at
            )
    return _exported(files, timings)


def _exported(files: dict[str, WrittenFile], timings: dict[str, float]) -> Exported:
    audio = files.pop("audio", None)
    video = files.pop("video", None)
    return Exported(audio, files, timings, video)
