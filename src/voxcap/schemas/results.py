"""The result document every face returns (and what a stored job keeps), and validation
errors in one line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from voxcap.domain import SpeechResult

if TYPE_CHECKING:
    from voxcap.export import Exported
    from voxcap.storage import Store


def describe(errors: Sequence[Any]) -> str:
    """One line from pydantic's validation errors: ``field: reason; ...``."""
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts)


class FileRef(BaseModel):
    """A produced file: handed out by ``url`` (``file://`` for local folders, else an expiring
    signed URL). Stored job results keep the object ``key`` and are signed when read."""

    url: str | None = None
    format: str
    bytes: int
    expires_at: int | None = None  # unix seconds; None for file:// URLs
    key: str | None = None
    filename: str | None = None


class AudioRef(FileRef):
    duration: float


class WordOut(BaseModel):
    text: str
    start: float
    end: float
    confidence: float | None = None  # verified speech only (left out otherwise)
    speaker: str | None = None  # dialogue only (left out otherwise)


class SentenceOut(BaseModel):
    """How one sentence came out (docs/VERIFY.md)."""

    index: int
    text: str
    status: Literal["ok", "suspect", "failed"]
    reason: str
    attempts: int
    start: float
    end: float


class VerificationOut(BaseModel):
    """The speech checked against the text: ``verified`` when every sentence is ok."""

    verified: bool
    sentences: list[SentenceOut]


class AlignmentOut(BaseModel):
    """What of the text and the recording did not match (an alignment only): the indices in
    ``words`` of the words that could not be placed, and the stretches of audio ([start, end]
    in seconds) with speech that is not in the text."""

    unplaced_words: list[int]
    unmatched_audio: list[tuple[float, float]]


class SpeechOutput(BaseModel):
    """``{"audio", "captions": {fmt: {...}}, "words", "duration", "timings"}``, and
    ``"alignment"`` for an alignment."""

    audio: AudioRef | None
    captions: dict[str, FileRef]
    video: FileRef | None = None
    words: list[WordOut]
    duration: float
    timings: dict[str, float]
    alignment: AlignmentOut | None = None
    verification: VerificationOut | None = None

    def signed(self, store: Store, expires: int | None = None) -> SpeechOutput:
        """A copy whose files carry fresh signed URLs instead of object keys."""

        def sign(ref: Any) -> Any:
            if ref.key is None:
                return ref
            url = store.signed_url(ref.key, expires, ref.filename)
            return ref.model_copy(
                update={"url": url.url, "expires_at": url.expires_at, "key": None, "filename": None}
            )

        return self.model_copy(
            update={
                "audio": sign(self.audio) if self.audio else None,
                "captions": {k: sign(v) for k, v in self.captions.items()},
                "video": sign(self.video) if self.video else None,
            }
        )

    def public(self) -> dict[str, Any]:
        """The JSON handed to users (no object keys). An alignment has no ``audio`` at all
        (not ``"audio": null``): the recording was the user's own."""
        document = self.model_dump(
            exclude_none=False,
            exclude={
                "audio": {"key", "filename"},
                "captions": {"__all__": {"key", "filename"}},
                "video": {"key", "filename"},
            },
        )
        if document["audio"] is None:
            del document["audio"]
        for block in ("alignment", "verification"):
            if document[block] is None:
                del document[block]
        for word in document["words"]:
            for optional in ("confidence", "speaker"):
                if word[optional] is None:
                    del word[optional]
        return document


def speech_output(
    result: SpeechResult, exported: Exported, keep_keys: bool = False
) -> SpeechOutput:
    """The result document of a narration whose files were exported."""
    from voxcap.captions.formats import verification_document, word_document

    def ref(f: Any) -> dict[str, Any]:
        if keep_keys:
            return {
                "url": None,
                "format": f.format,
                "bytes": f.bytes,
                "key": f.key,
                "filename": f.key.rsplit("/", 1)[-1] if f.key else None,
            }
        return {"url": f.url, "format": f.format, "bytes": f.bytes, "expires_at": f.expires_at}

    audio = exported.audio
    return SpeechOutput(
        audio=AudioRef(**ref(audio), duration=round(result.duration, 3)) if audio else None,
        captions={k: FileRef(**ref(f)) for k, f in exported.captions.items()},
        video=FileRef(**ref(exported.video)) if exported.video else None,
        words=[WordOut(**word_document(w)) for w in result.words],
        duration=round(result.duration, 3),
        timings={k: round(v, 4) for k, v in {**result.timings, **exported.timings}.items()},
        alignment=alignment_output(result),
        verification=(
            VerificationOut(**verification_document(result.verification))
            if result.verification is not None
            else None
        ),
    )


def alignment_output(result: SpeechResult) -> AlignmentOut | None:
    """The ``alignment`` block of a result (None for a narration)."""
    report = result.alignment
    if report is None:
        return None
    return AlignmentOut(
        unplaced_words=list(report.unplaced), unmatched_audio=list(report.unmatched)
    )
