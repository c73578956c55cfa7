"""Bounded thread pools, one per kind of blocking work, so one kind cannot starve another.

Inline synthesis (``/v1/audio/speech``), voice work (URL fetches, clip decoding) and quick I/O
(the queue, voice lookups, health checks) each get their own threads. A pool takes at most
``threads`` calls at once plus a backlog of ``4 * threads`` waiting ones; beyond that the call
is refused at once with 503 ``server_busy`` and a Retry-After, rather than queueing without
bound behind slow work. A job submit or status read therefore never waits behind synthesis.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from voxcap.errors import ServerBusy
from voxcap.settings import Settings

T = TypeVar("T")
BACKLOG = 4


class Pool:
    """``threads`` worker threads named ``voxcap-{name}``; refuses work past its backlog."""

    def __init__(self, name: str, threads: int, retry_after: int) -> None:
        self.name = name
        self.retry_after = retry_after
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix=f"voxcap-{name}")
        self._slots = threading.BoundedSemaphore(threads * (1 + BACKLOG))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on this pool. Raises ServerBusy when the pool is full."""
        if not self._slots.acquire(blocking=False):
            raise ServerBusy(
                f"the server is busy ({self.name}); retry in {self.retry_after} s",
                retry_after=self.retry_after,
            )
        try:
            future: Future[T] = self._executor.submit(functools.partial(fn, *args))
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())  # even if the client left
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Pools:
    """The API's pools: ``synthesis``, ``voices`` and ``io``."""

    def __init__(self, settings: Settings) -> None:
        self.synthesis = Pool("synthesis", settings.synthesis_threads, retry_after=10)
        self.voices = Pool("voices", settings.voice_threads, retry_after=5)
        self.io = Pool("io", settings.io_threads, retry_after=1)

    def shutdown(self) -> None:
        for pool in (self.synthesis, self.voices, self.io):
            pool.shutdown()
