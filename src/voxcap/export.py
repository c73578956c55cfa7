"""Write a result's audio and caption files into a folder, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from voxcap.audio import AudioFormat, encode
from voxcap.captions import WRITERS, render_captions
from voxcap.domain import CaptionOptions, SpeechResult
from voxcap.errors import OutputError


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: Path
    format: str
    bytes: int


@dataclass(frozen=True, slots=True)
class Exported:
    audio: WrittenFile | None
    captions: dict[str, WrittenFile]
    timings: dict[str, float]


def check_writable(out_dir: Path) -> None:
    """Raise OutputError unless ``out_dir`` exists (or can be made) and is writable."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {out_dir} is not writable")


def export(
    result: SpeechResult,
    out_dir: Path,
    audio_format: AudioFormat | None,
    captions: list[str],
    options: CaptionOptions,
) -> Exported:
    """Write ``speech.<ext>`` (unless ``audio_format`` is None) and the caption files.

    Everything is written to a temporary folder inside ``out_dir`` first and moved into place
    only when all files are done, so a failure leaves nothing half-written.

    Raises:
        OutputError: the folder cannot be written.
    """
    check_writable(out_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    blobs: dict[str, tuple[str, bytes]] = {}
    if audio_format is not None:
        blobs["audio"] = (f"speech.{audio_format.extension}", encode(result.audio, audio_format))
    timings["encode"] = time.perf_counter() - started
    started = time.perf_counter()
    for name, data in render_captions(result, captions, options).items():
        blobs[name] = (WRITERS[name].filename, data)
    timings["captions"] = time.perf_counter() - started
    try:
        staging = Path(tempfile.mkdtemp(prefix=".voxcap-", dir=out_dir))
    except OSError as exc:
        raise OutputError(f"cannot write in {out_dir}: {exc.strerror}") from None
    try:
        for filename, data in blobs.values():
            (staging / filename).write_bytes(data)
        for filename, _ in blobs.values():
            os.replace(staging / filename, out_dir / filename)
    except OSError as exc:
        raise OutputError(f"cannot write in {out_dir}: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = {
        key: WrittenFile(out_dir / filename, key, len(data))
        for key, (filename, data) in blobs.items()
    }
    audio = files.pop("audio", None)
    if audio is not None and audio_format is not None:
        audio = WrittenFile(audio.path, audio_format.name, audio.bytes)
    return Exported(audio, files, timings)
