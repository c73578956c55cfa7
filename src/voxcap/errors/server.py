"""The HTTP server: jobs, API keys, hosts and origins, limits, readiness."""

from __future__ import annotations

from voxcap.errors.base import VoxcapError


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
