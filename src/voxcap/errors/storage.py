"""Stored objects, signed URLs, the store and the queue behind them."""

from __future__ import annotations

from voxcap.errors.base import VoxcapError


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
