"""The one voxcap error tree.

Every error carries a stable ``code`` (documented in docs/CLI.md and used by every face), an HTTP
status for the API and an exit code for the CLI. Backend exceptions are translated into these at
the boundary where they occur.
"""

from __future__ import annotations

from typing import ClassVar


class VoxcapError(Exception):
    """Base of every error voxcap raises on purpose."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type[VoxcapError], tuple[str]]:
        return (type(self), (self.message,))

    def to_dict(self) -> dict[str, dict[str, str]]:
        """The wire form shared by every face: ``{"error": {"code", "message"}}``."""
        return {"error": {"code": self.code, "message": self.message}}


class InvalidInput(VoxcapError):
    """The request itself is wrong; retrying it unchanged cannot help."""

    code = "invalid_input"
    http_status = 422
    exit_code = 2


class EmptyText(InvalidInput):
    code = "empty_text"


class TextTooLong(InvalidInput):
    code = "text_too_long"
    http_status = 413


class UnsupportedLanguage(InvalidInput):
    """The text is in a language the chosen engine, voice or aligner cannot handle; the message
    names the language and what can."""

    code = "unsupported_language"


class AudioDecodeError(InvalidInput):
    code = "audio_unreadable"


class UnknownEngine(InvalidInput):
    code = "unknown_engine"


class UnknownAligner(InvalidInput):
    code = "unknown_aligner"


class UnknownFormat(InvalidInput):
    code = "unknown_format"


class VoiceNotFound(InvalidInput):
    code = "voice_not_found"
    http_status = 400


class OutputError(InvalidInput):
    """The output location cannot be written."""

    code = "output_unwritable"


class MissingDependency(VoxcapError):
    """An optional extra is needed for what was asked; the message names it."""

    code = "missing_dependency"
    http_status = 501
    exit_code = 2


class VideoUnavailable(MissingDependency):
    """Video was asked for and ffmpeg (with libass) is not installed."""

    code = "video_unavailable"


class UnknownAspect(InvalidInput):
    code = "unknown_aspect"


class BackgroundInvalid(InvalidInput):
    """A video background that is missing, unreadable, over 50 MP or has no picture."""

    code = "background_invalid"


class RenderFailed(VoxcapError):
    """ffmpeg failed to render a video from valid input."""

    code = "render_failed"


class ModelNotFound(VoxcapError):
    """Model weights are not in the cache; the message names the model, the folder looked in
    and the command that fetches them."""

    code = "model_not_found"
    http_status = 503
    exit_code = 2


class ModelHubUnreachable(VoxcapError):
    """Weights cannot be downloaded: the model hub (or its mirror) cannot be reached."""

    code = "model_hub_unreachable"
    http_status = 503
    exit_code = 2


class EngineError(VoxcapError):
    """The speech engine failed on a valid request."""

    code = "engine_failed"


class NoEngineTimings(InvalidInput):
    """``timings=engine`` was asked of an engine or voice that reports none."""

    code = "engine_timings_unavailable"


class AlignmentError(VoxcapError):
    """The aligner could not place the text in the audio, even with a wide beam."""

    code = "alignment_failed"
    http_status = 422
    exit_code = 1


class InvalidVoiceName(InvalidInput):
    code = "invalid_voice_name"


class VoiceExists(InvalidInput):
    code = "voice_exists"
    http_status = 409


class VoiceAudioInvalid(InvalidInput):
    """The reference clip is not usable: silent, too short or too long after trimming."""

    code = "voice_audio_invalid"


class TooLarge(InvalidInput):
    code = "too_large"
    http_status = 413


class UrlRefused(InvalidInput):
    """A URL that voxcap will not fetch: not http(s), or pointing at a private address."""

    code = "url_refused"
    http_status = 400


class UrlFetchFailed(InvalidInput):
    code = "url_fetch_failed"
    http_status = 400


class InvalidRequest(InvalidInput):
    """The request body does not have the documented shape (bad JSON, missing fields)."""

    code = "invalid_request"


class ObjectNotFound(VoxcapError):
    code = "not_found"
    http_status = 404
    exit_code = 2


class SignatureInvalid(VoxcapError):
    code = "signature_invalid"
    http_status = 403
    exit_code = 2


class SignatureExpired(SignatureInvalid):
    code = "url_expired"


class StorageError(VoxcapError):
    """The object store failed or is unreachable; the message says which and how to fix it."""

    code = "storage_error"
    http_status = 502
    exit_code = 1


class ObjectExists(StorageError):
    """An exclusive write found the object already there (the store's compare-and-set)."""

    code = "object_exists"
    http_status = 409


class QueueUnavailable(StorageError):
    """The job queue cannot be opened or written (disk full, read-only, missing folder)."""

    code = "queue_unavailable"
    http_status = 503


class StorageAuthError(StorageError):
    code = "storage_auth_failed"


class BucketNotFound(StorageError):
    code = "storage_bucket_not_found"


class JobNotFound(VoxcapError):
    code = "job_not_found"
    http_status = 404
    exit_code = 2


class JobNotCancelable(VoxcapError):
    code = "job_not_cancelable"
    http_status = 409
    exit_code = 2


class AuthMissing(VoxcapError):
    code = "unauthorized"
    http_status = 401
    exit_code = 2


class AuthRejected(VoxcapError):
    code = "forbidden"
    http_status = 403
    exit_code = 2


class RateLimited(VoxcapError):
    code = "rate_limited"
    http_status = 429
    exit_code = 2

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[VoxcapError], tuple[str]]:
        return (type(self), (self.message,))


class ServerBusy(VoxcapError):
    """Every thread for this kind of work is taken and its backlog is full: retry later."""

    code = "server_busy"
    http_status = 503
    exit_code = 1

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[VoxcapError], tuple[str]]:
        return (type(self), (self.message,))


class BodyTooLarge(VoxcapError):
    code = "body_too_large"
    http_status = 413
    exit_code = 2


class NotReady(VoxcapError):
    code = "not_ready"
    http_status = 503
