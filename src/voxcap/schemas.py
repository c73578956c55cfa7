"""Wire models shared by the faces: the result JSON of the CLI (and later the API and RunPod)."""

from __future__ import annotations

from pydantic import BaseModel


class FileRef(BaseModel):
    """A produced file, handed out by URL (``file://`` for local output folders)."""

    url: str
    format: str
    bytes: int
    expires_at: int | None = None  # unix seconds; None for file:// URLs


class AudioRef(FileRef):
    duration: float


class WordOut(BaseModel):
    text: str
    start: float
    end: float


class SpeechOutput(BaseModel):
    """``{"audio", "captions": {fmt: {...}}, "words", "duration", "timings"}``."""

    audio: AudioRef | None
    captions: dict[str, FileRef]
    words: list[WordOut]
    duration: float
    timings: dict[str, float]
