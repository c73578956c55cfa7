"""The one voxcap error tree.

Every error carries a stable ``code`` used by every face, an HTTP status for the API and an
exit code for the CLI. Backend exceptions are translated into these at the boundary where they
occur. A class's docstring says when it happens: docs/ERRORS.md is generated from this package
(:func:`table`), so the documentation cannot drift from the code.
"""

from __future__ import annotations

from voxcap.errors.base import (
    InvalidInput,
    InvalidRequest,
    VoxcapError,
    public_message,
)
from voxcap.errors.input import (
    AudioDecodeError,
    AudioTooLong,
    BackgroundInvalid,
    BrandExists,
    BrandNotFound,
    EmptyText,
    InvalidVoiceName,
    LexiconNotFound,
    NoEngineTimings,
    NoSpeech,
    OutputError,
    SpeechTooLong,
    TextTooLong,
    TooLarge,
    UnknownAligner,
    UnknownAspect,
    UnknownEngine,
    UnknownFormat,
    UnsupportedLanguage,
    UrlFetchFailed,
    UrlRefused,
    VoiceAudioInvalid,
    VoiceExists,
    VoiceNotFound,
)
from voxcap.errors.server import (
    AuthMissing,
    AuthRejected,
    BodyTooLarge,
    HostRefused,
    JobNotCancelable,
    JobNotFound,
    NotReady,
    OriginRefused,
    RateLimited,
    RetryLater,
    ServerBusy,
    WorkerDied,
)
from voxcap.errors.storage import (
    BucketNotFound,
    MethodNotAllowed,
    ObjectExists,
    ObjectNotFound,
    QueueUnavailable,
    SignatureExpired,
    SignatureInvalid,
    StorageAuthError,
    StorageError,
)
from voxcap.errors.work import (
    AlignmentError,
    EngineError,
    EngineOutOfMemory,
    MissingDependency,
    ModelHubUnreachable,
    ModelNotFound,
    RenderFailed,
    VideoUnavailable,
)


def tree() -> list[type[VoxcapError]]:
    """Every documented error class, in code order."""
    found: list[type[VoxcapError]] = []
    todo: list[type[VoxcapError]] = [VoxcapError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted((c for c in set(found) if c.documented), key=lambda c: c.code)


def table() -> str:
    """The Markdown table of docs/ERRORS.md: code, HTTP status, CLI exit code, when."""
    rows = ["| code | HTTP | exit | when |", "|---|---|---|---|"]
    for cls in tree():
        when = " ".join((cls.__doc__ or "").split()).replace("``", "`")
        rows.append(f"| `{cls.code}` | {cls.http_status} | {cls.exit_code} | {when} |")
    return "\n".join(rows) + "\n"


__all__ = [
    "AlignmentError",
    "AudioDecodeError",
    "AudioTooLong",
    "AuthMissing",
    "AuthRejected",
    "BackgroundInvalid",
    "BodyTooLarge",
    "BrandExists",
    "BrandNotFound",
    "BucketNotFound",
    "EmptyText",
    "EngineError",
    "EngineOutOfMemory",
    "HostRefused",
    "InvalidInput",
    "InvalidRequest",
    "InvalidVoiceName",
    "JobNotCancelable",
    "JobNotFound",
    "LexiconNotFound",
    "MethodNotAllowed",
    "MissingDependency",
    "ModelHubUnreachable",
    "ModelNotFound",
    "NoEngineTimings",
    "NoSpeech",
    "NotReady",
    "ObjectExists",
    "ObjectNotFound",
    "OriginRefused",
    "OutputError",
    "QueueUnavailable",
    "RateLimited",
    "RenderFailed",
    "RetryLater",
    "ServerBusy",
    "SignatureExpired",
    "SignatureInvalid",
    "SpeechTooLong",
    "StorageAuthError",
    "StorageError",
    "TextTooLong",
    "TooLarge",
    "UnknownAligner",
    "UnknownAspect",
    "UnknownEngine",
    "UnknownFormat",
    "UnsupportedLanguage",
    "UrlFetchFailed",
    "UrlRefused",
    "VideoUnavailable",
    "VoiceAudioInvalid",
    "VoiceExists",
    "VoiceNotFound",
    "VoxcapError",
    "WorkerDied",
    "public_message",
    "table",
    "tree",
]
