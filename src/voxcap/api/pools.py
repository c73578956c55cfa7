"""Bounded thread pools, one per kind of blocking work, so one kind cannot starve another.

Inline synthesis (``/v1/audio/speech``), voice work (URL fetches, clip decoding), quick I/O
(the queue, voice lookups, health checks) and job submits (checked, then queued) each get
their own threads. A pool takes at most
``threads`` calls at once plus a backlog of waiting ones (``4 * threads`` for the slow kinds;
1,000 for quick I/O, whose calls take milliseconds, so a burst of submits queues rather than
fails); beyond that the call is refused at once with 503 ``server_busy`` and a Retry-After,
rather than queueing without bound behind slow work. A job submit or status read therefore
never waits behind synthesis or a slow voice URL.
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
BACKLOG = 4  # waiting calls per thread, for the slow kinds
IO_BACKLOG = 1000


class Pool:
    """``threads`` worker threads named ``voxcap-{name}``; refuses work past ``backlog``
    waiting calls."""

    def __init__(self, name: str, threads: int, retry_after: int, backlog: int) -> None:
        self.name = name
        self.retry_after = retry_after
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix=f"voxcap-{name}")
        self._slots = threading.BoundedSemaphore(threads + backlog)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on this pool. Raises ServerBusy when the pool is full."""
        return await asyncio.wrap_future(self.submit(fn, *args))

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Start ``fn(*args)`` on this pool now. Raises ServerBusy when the pool is full."""
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
        return future

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Pools:
    """The API's pools: ``synthesis``, ``voices``, ``io`` and ``submits``."""

    def __init__(self, settings: Settings) -> None:
        synthesis, voices = settings.synthesis_threads, settings.voice_threads
        self.synthesis = Pool("synthesis", synthesis, 10, backlog=BACKLOG * synthesis)
        self.voices = Pool("voices", voices, 5, backlog=BACKLOG * voices)
        self.io = Pool("io", settings.io_threads, 1, backlog=IO_BACKLOG)
        # checking and queueing a job is Python work: two threads, not eight, contend less
        # for the GIL with the event loop (bench/api.py --burst-only: p99 199 -> 145 ms)
        self.submits = Pool("submits", settings.submit_threads, 1, backlog=IO_BACKLOG)

    def shutdown(self) -> None:
        for pool in (self.synthesis, self.voices, self.io, self.submits):
            pool.shutdown()
