"""The root of the error tree, and the two kinds of bad input every face knows."""

from __future__ import annotations

import re
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


_SERVER_PATH = re.compile(r"(?<![\w:/.~-])(?:~|/)[^\s'\",;)]*/[^\s'\",;)]*")
_FILE_URL = re.compile(r"file://[^\s'\",;)]+")


def public_message(message: str) -> str:
    """``message`` as a remote client may see it: file-system paths and ``file://`` URLs of the
    server are replaced (the full message stays in the server's log)."""
    return _SERVER_PATH.sub("<server path>", _FILE_URL.sub("<server path>", message))
