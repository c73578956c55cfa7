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
    """Redacts a record's message (formatted with its arguments) in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


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
