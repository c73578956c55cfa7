"""Request dependencies: the runtime and queue, API keys, and per-key rate limiting.

Every dependency is ``async``: FastAPI runs a plain ``def`` dependency on a worker thread, and
these only read app state, so a thread hop each (a dozen per request) was most of a submit's
cost."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from voxcap.api.pools import Pools
from voxcap.errors import AuthMissing, AuthRejected, RateLimited
from voxcap.jobs.base import JobQueue
from voxcap.runtime import Runtime


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def queue(request: Request) -> JobQueue:
    q: JobQueue = request.app.state.queue
    return q


async def pools(request: Request) -> Pools:
    p: Pools = request.app.state.pools
    return p


@dataclass(frozen=True, slots=True)
class Services:
    """The runtime, queue and pools together: one dependency to solve instead of three, for
    the routes a burst of clients calls (each solve costs a submit some 0.1 ms)."""

    runtime: Runtime
    queue: JobQueue
    pools: Pools


async def services(request: Request) -> Services:
    s: Services = request.app.state.services
    return s


class TokenBuckets:
    """``rate`` requests per minute per caller, with bursts up to ``rate``."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, caller: str) -> float:
        """The seconds until ``caller`` has a token again (0 if it has one); takes nothing."""
        with self._lock:
            tokens, _ = self._refilled(caller)
            return 0.0 if tokens >= 1 else (1 - tokens) * 60 / self.rate

    def take(self, caller: str) -> float:
        """0 if allowed, else the seconds to wait."""
        with self._lock:
            tokens, now = self._refilled(caller)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1 - tokens) * 60 / self.rate

    def _refilled(self, caller: str) -> tuple[float, float]:
        """``caller``'s tokens now (refilled at ``rate`` a minute, at most ``rate``), and now."""
        now = time.monotonic()
        tokens, last = self._buckets.get(caller, (float(self.rate), now))
        return min(float(self.rate), tokens + (now - last) * self.rate / 60), now


async def caller(request: Request) -> str:
    """Check the API key (constant time) and the rate limit; returns the caller's fingerprint.

    Wrong keys are limited per client address (``VOXCAP_AUTH_FAILURE_LIMIT`` a minute): once a
    client has used them up, its wrong keys get 429, so keys cannot be guessed at speed; a
    right key is never locked out by another's wrong ones from the same address (a proxy, an
    office). The address is the connection's, or ``X-Forwarded-For``'s from
    ``VOXCAP_TRUSTED_PROXIES`` only.

    Raises:
        AuthMissing (401), AuthRejected (403), RateLimited (429).
    """
    settings = request.app.state.runtime.settings
    keys = [k.get_secret_value() for k in settings.api_keys]
    given = _bearer(request)
    address = "ip:" + (request.client.host if request.client else "unknown")
    if keys:
        if given is None:
            raise AuthMissing("an API key is required: Authorization: Bearer <key>")
        secret = given.encode("utf-8", "surrogateescape")
        if not any(hmac.compare_digest(secret, k.encode()) for k in keys):
            failures: TokenBuckets = request.app.state.auth_failures
            blocked = failures.take(address)
            if blocked > 0:
                raise RateLimited(
                    "too many requests with a wrong API key from this address",
                    retry_after=math.ceil(blocked),
                )
            raise AuthRejected("the API key is not valid")
        who = "key:" + hashlib.sha256(secret).hexdigest()[:16]
    else:
        who = address
    wait = request.app.state.limiter.take(who)
    if wait > 0:
        raise RateLimited(
            f"rate limit of {settings.rate_limit} requests per minute reached",
            retry_after=math.ceil(wait),
        )
    return who


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


Caller = Annotated[str, Depends(caller)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
QueueDep = Annotated[JobQueue, Depends(queue)]
PoolsDep = Annotated[Pools, Depends(pools)]
ServicesDep = Annotated[Services, Depends(services)]
