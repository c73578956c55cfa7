"""The one voxcap error tree.

Every error carries a stable ``code`` used by every face, an HTTP status for the API and an
exit code for the CLI. Backend exceptions are translated into these at the boundary where they
occur. A class's docstring says when it happens: docs/ERRORS.md is generated from this module
(:func:`table`), so the documentation cannot drift from the code.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import ClassVar


class VoxcapError(Exception):
    """A bug: the traceback is logged (with the job id in a worker)."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    documented: ClassVar[bool] = True  # False: internal, never reaches a user

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type[VoxcapError], tuple[str]]:
        return (type(self), (self.message,))

    def to_dict(self) -> dict[str, dict[str, str]]:
        """The wire form shared by every face: ``{"error": {"code", "message"}}``."""
        return {"error": {"code": self.code, "message": self.message}}


class InvalidInput(VoxcapError):
    """Bad input not covered by a more specific code: text given twice or not at all, an
    unreadable text file, speed outside 0.25-4, a loudness that is NaN, outside -40...-13 LUFS
    or not a preset, a clip to clone without its text, a non-cloning engine given a clip,
    verification asked for with the engine's own timings."""

    code = "invalid_input"
    http_status = 422
    exit_code = 2


class InvalidRequest(InvalidInput):
    """The request body does not have the documented shape (bad JSON, a missing or unknown
    field, a value of the wrong type); the message names the field and the reason."""

    code = "invalid_request"


class EmptyText(InvalidInput):
    """The text is empty, whitespace or only punctuation."""

    code = "empty_text"


class TextTooLong(InvalidInput):
    """The text is longer than ``VOXCAP_MAX_TEXT_CHARS`` (default 20,000) or, to align to a
    recording, ``VOXCAP_MAX_ALIGN_CHARS`` (default 250,000)."""

    code = "text_too_long"
    http_status = 413


class SpeechTooLong(TextTooLong):
    """The text would take longer to say than ``VOXCAP_MAX_SPEECH_SECONDS`` (default 3,600),
    estimated from its spoken words before any synthesis: a short text can be long work (5,000
    digits are half an hour of speech)."""

    code = "speech_too_long"


class UnsupportedLanguage(InvalidInput):
    """The text is in a language the chosen engine, voice or aligner (or verification, which
    reads English) cannot handle; the message names the language and what can (checked before
    any model loads)."""

    code = "unsupported_language"


class AudioDecodeError(InvalidInput):
    """An audio file is missing, corrupt, empty or a video without sound (the message names the
    file); any format ffmpeg reads is accepted."""

    code = "audio_unreadable"


class AudioTooLong(AudioDecodeError):
    """An audio file would decode to more than its limit: a voice clip over 2 minutes, a
    recording to align over ``VOXCAP_MAX_AUDIO_SECONDS`` (default 3 hours), or a sample rate
    over 192 kHz. Checked from the file's header, or while decoding, so a small compressed file
    that would decode to gigabytes is refused before it takes the memory."""

    code = "audio_too_long"
    http_status = 413


class NoSpeech(AudioDecodeError):
    """A recording to caption without a script has no speech in it: silence, music, noise."""

    code = "no_speech"


class UnknownEngine(InvalidInput):
    """The engine named is not one of voxcap's."""

    code = "unknown_engine"


class UnknownAligner(InvalidInput):
    """The aligner named is not one of voxcap's (checked before synthesis)."""

    code = "unknown_aligner"


class UnknownFormat(InvalidInput):
    """An audio or caption format voxcap does not write."""

    code = "unknown_format"


class VoiceNotFound(InvalidInput):
    """No voice by that name (in the caller's library or the shared one), no such voice file."""

    code = "voice_not_found"
    http_status = 400


class OutputError(InvalidInput):
    """The output folder (``--out``) cannot be created or written."""

    code = "output_unwritable"


class MissingDependency(VoxcapError):
    """An optional extra is needed for what was asked; the message names it
    (``pip install 'voxcap[piper]'``)."""

    code = "missing_dependency"
    http_status = 501
    exit_code = 2


class VideoUnavailable(MissingDependency):
    """Video was asked for and ffmpeg (with libass) is not installed."""

    code = "video_unavailable"


class UnknownAspect(InvalidInput):
    """A video aspect other than 9:16, 1:1 or 16:9."""

    code = "unknown_aspect"


class BackgroundInvalid(InvalidInput):
    """A video background that is missing, unreadable, over 50 MP or has no picture."""

    code = "background_invalid"


class RenderFailed(VoxcapError):
    """ffmpeg failed to render a video from valid input."""

    code = "render_failed"


class ModelNotFound(VoxcapError):
    """Model weights are not in the cache; the message names the file, the folder looked in and
    the command that fetches them (``voxcap models download …``)."""

    code = "model_not_found"
    http_status = 503
    exit_code = 2


class ModelHubUnreachable(VoxcapError):
    """Weights cannot be downloaded: the model hub (or its mirror, ``HF_ENDPOINT``) cannot be
    reached; the message says where to copy the files instead."""

    code = "model_hub_unreachable"
    http_status = 503
    exit_code = 2


class EngineError(VoxcapError):
    """The speech engine failed on a valid request."""

    code = "engine_failed"


class EngineOutOfMemory(EngineError):
    """The GPU ran out of memory (a RunPod worker is then replaced); retry."""

    code = "engine_out_of_memory"


class NoEngineTimings(InvalidInput):
    """``timings=engine`` was asked of an engine or voice that reports none."""

    code = "engine_timings_unavailable"


class AlignmentError(VoxcapError):
    """The aligner could not place the text in the audio, even with wide beams (``align``:
    none of the text was found in the recording)."""

    code = "alignment_failed"
    http_status = 422
    exit_code = 1


class InvalidVoiceName(InvalidInput):
    """A voice name that is not a safe slug (1-64 lower-case letters, digits, - and _)."""

    code = "invalid_voice_name"


class VoiceExists(InvalidInput):
    """Adding a voice whose name is taken (replace it, or delete it first)."""

    code = "voice_exists"
    http_status = 409


class BrandNotFound(InvalidInput):
    """No brand kit by that name (``voxcap brands list``, ``GET /v1/brands``)."""

    code = "brand_not_found"
    http_status = 404


class BrandExists(InvalidInput):
    """Adding a brand kit whose name is taken (replace it, or remove it first)."""

    code = "brand_exists"
    http_status = 409


class VoiceAudioInvalid(InvalidInput):
    """A voice clip that is silent, or not 1-30 s of speech after trimming silence."""

    code = "voice_audio_invalid"


class TooLarge(InvalidInput):
    """A clip (or fetched file) over ``VOXCAP_MAX_VOICE_BYTES``."""

    code = "too_large"
    http_status = 413


class UrlRefused(InvalidInput):
    """A URL that is malformed, not http(s), or points at a private address."""

    code = "url_refused"
    http_status = 400


class UrlFetchFailed(InvalidInput):
    """A URL that could not be fetched: connection error, HTTP status, too many redirects, or
    over ``VOXCAP_FETCH_TIMEOUT`` in all."""

    code = "url_fetch_failed"
    http_status = 400


class ObjectNotFound(VoxcapError):
    """No such object in the store, or no such route."""

    code = "not_found"
    http_status = 404
    exit_code = 2


class MethodNotAllowed(VoxcapError):
    """The HTTP method is wrong for the route."""

    code = "method_not_allowed"
    http_status = 405
    exit_code = 2


class SignatureInvalid(VoxcapError):
    """A local signed URL that was tampered with."""

    code = "signature_invalid"
    http_status = 403
    exit_code = 2


class SignatureExpired(SignatureInvalid):
    """A local signed URL past its expiry."""

    code = "url_expired"


class StorageError(VoxcapError):
    """The store is unreachable or failed."""

    code = "storage_error"
    http_status = 502
    exit_code = 1


class ObjectExists(StorageError):
    """An exclusive write found the object already there (the store's compare-and-set)."""

    code = "object_exists"
    http_status = 409
    documented = False


class QueueUnavailable(StorageError):
    """The job queue cannot be opened or written (disk full, read-only, not a folder)."""

    code = "queue_unavailable"
    http_status = 503


class StorageAuthError(StorageError):
    """S3 refused the credentials (or none were found)."""

    code = "storage_auth_failed"


class BucketNotFound(StorageError):
    """The S3 bucket does not exist."""

    code = "storage_bucket_not_found"


class JobNotFound(VoxcapError):
    """No such job (or it belongs to another API key)."""

    code = "job_not_found"
    http_status = 404
    exit_code = 2


class JobNotCancelable(VoxcapError):
    """Only queued jobs can be canceled."""

    code = "job_not_cancelable"
    http_status = 409
    exit_code = 2


class WorkerDied(VoxcapError):
    """The job's worker stopped responding ``VOXCAP_MAX_ATTEMPTS`` times."""

    code = "worker_died"


class AuthMissing(VoxcapError):
    """No API key, when keys are configured."""

    code = "unauthorized"
    http_status = 401
    exit_code = 2


class AuthRejected(VoxcapError):
    """A wrong API key, or a key acting on a shared voice (only the operator may)."""

    code = "forbidden"
    http_status = 403
    exit_code = 2


class HostRefused(VoxcapError):
    """A request naming a ``Host`` the server does not answer to (``VOXCAP_ALLOWED_HOSTS``;
    by default a server on loopback answers only to loopback names): a DNS-rebinding page."""

    code = "host_refused"
    http_status = 421
    exit_code = 2


class OriginRefused(VoxcapError):
    """A request that changes something, sent by a web page of another site (its ``Origin``
    is neither this server nor in ``VOXCAP_CORS_ORIGINS``): a cross-site request forgery."""

    code = "origin_refused"
    http_status = 403
    exit_code = 2


class RetryLater(VoxcapError):
    """An error that says when to retry (HTTP ``Retry-After``)."""

    documented = False

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[VoxcapError], tuple[str]]:
        return (type(self), (self.message,))


class RateLimited(RetryLater):
    """Over ``VOXCAP_RATE_LIMIT`` requests a minute for the key (or address), or too many wrong
    keys from one address; see ``Retry-After``."""

    code = "rate_limited"
    http_status = 429
    exit_code = 2
    documented = True


class ServerBusy(RetryLater):
    """Every thread for this kind of work (inline synthesis, voice work, I/O) is taken and its
    backlog is full; see ``Retry-After``."""

    code = "server_busy"
    http_status = 503
    exit_code = 1
    documented = True


class BodyTooLarge(VoxcapError):
    """A request body over ``VOXCAP_MAX_BODY_BYTES`` (with or without a Content-Length)."""

    code = "body_too_large"
    http_status = 413
    exit_code = 2


class NotReady(VoxcapError):
    """``/readyz``: the engine's weights, the store, the queue or the workers are not usable."""

    code = "not_ready"
    http_status = 503


_SERVER_PATH = re.compile(r"(?<![\w:/.~-])(?:~|/)[^\s'\",;)]*/[^\s'\",;)]*")
_FILE_URL = re.compile(r"file://[^\s'\",;)]+")


def public_message(message: str) -> str:
    """``message`` as a remote client may see it: file-system paths and ``file://`` URLs of the
    server are replaced (the full message stays in the server's log)."""
    return _SERVER_PATH.sub("<server path>", _FILE_URL.sub("<server path>", message))


def tree() -> list[type[VoxcapError]]:
    """Every documented error class, in code order."""
    classes = [
        c
        for _, c in inspect.getmembers(sys.modules[__name__], inspect.isclass)
        if issubclass(c, VoxcapError) and c.documented
    ]
    return sorted(classes, key=lambda c: c.code)


def table() -> str:
    """The Markdown table of docs/ERRORS.md: code, HTTP status, CLI exit code, when."""
    rows = ["| code | HTTP | exit | when |", "|---|---|---|---|"]
    for cls in tree():
        when = " ".join((cls.__doc__ or "").split()).replace("``", "`")
        rows.append(f"| `{cls.code}` | {cls.http_status} | {cls.exit_code} | {when} |")
    return "\n".join(rows) + "\n"
