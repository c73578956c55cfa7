"""Transcript files for voice clips: the plain text of a .txt, .srt, .vtt or .csv (through
pysubs2 and the csv module), read by a registry of readers by suffix."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pysubs2

from voxcap.errors import InvalidInput


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
        words = TRANSCRIPT_READERS[suffix](text).strip()
    except (UnicodeDecodeError, ValueError, KeyError, pysubs2.Pysubs2Error) as exc:
        raise InvalidInput(f"cannot read transcript {filename}: {exc}") from None
    if not words and text.strip():
        raise InvalidInput(f"cannot read transcript {filename}: no {suffix[1:]} text in it")
    return words
