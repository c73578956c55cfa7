"""Logging set-up for every face: one format, quiet third-party loggers, no secrets.

Third-party libraries log credentials at DEBUG (botocore prints the canonical request with the
session token), so they are kept at INFO or above whatever ``VOXCAP_LOG_LEVEL`` says. Signed-URL
signatures and credentials in query strings are redacted from every record, uvicorn's access
log included.
"""

from __future__ import annotations

import logging
import re

CHATTY = (
    "botocore",
    "boto3",
    "s3transfer",
    "urllib3",
    "huggingface_hub",
    "httpx",
    "httpcore",
    "filelock",
    "fsspec",
    "asyncio",
    "multipart",
    "python_multipart",
)
_SECRET_QUERY = re.compile(
    r"(?i)\b(signature|x-amz-signature|x-amz-credential|x-amz-security-token|"
    r"awsaccesskeyid|token|api_key|key)=[^&\s\"']+"
)
_SECRET_HEADER = re.compile(r"(?i)(x-amz-security-token|authorization|x-api-key)\s*[:=]\s*\S+")


def redact(text: str) -> str:
    """``text`` with signed-URL signatures, credentials and auth headers replaced."""
    text = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=REDACTED", text)
    return _SECRET_HEADER.sub(lambda m: f"{m.group(1)}: REDACTED", text)


class RedactFilter(logging.Filter):
    """Redacts a record in place: its message and each of its string arguments, keeping the
    arguments' shape (uvicorn's access formatter unpacks them as a tuple)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        return True


def _redacted(arg: object) -> object:
    """A log argument with secrets redacted: a string cleaned, any other object replaced by
    its cleaned text only when that text holds a secret (numbers keep their type for %d)."""
    if isinstance(arg, str):
        return redact(arg)
    if isinstance(arg, int | float) or arg is None:
        return arg
    text = str(arg)
    cleaned = redact(text)
    return arg if cleaned == text else cleaned


def configure(level: str) -> None:
    """Root logging at ``level`` on stderr; third-party loggers at INFO or above; redaction on
    every root handler and on uvicorn's access log."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    logging.basicConfig(level=numeric, format="%(levelname)s %(name)s: %(message)s")
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    protect(logging.getLogger())
    protect(logging.getLogger("uvicorn.access"))


def protect(logger: logging.Logger) -> None:
    """Add the redaction filter to ``logger`` and its handlers (once)."""
    for target in (logger, *logger.handlers):
        if not any(isinstance(f, RedactFilter) for f in target.filters):
            target.addFilter(RedactFilter())
