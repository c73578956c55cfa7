"""Telling the API's Server-Sent Events streams that a job changed, without each stream
polling the queue: one watcher per API process serves every stream.

- Redis: one subscription to ``voxcap:events``, where every state change is published;
- SQLite (workers are other processes, so nothing can be pushed): one query every
  ``interval`` for the jobs updated since the last, however many streams are open.

A stream takes a :meth:`Notifier.watch` *before* it reads the job, so a change between the read
and the wait still wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from voxcap.errors import VoxcapError

log = logging.getLogger(__name__)
OVERLAP = 2.0  # SQLite: re-read this many seconds back (a write stamped before a later one)


class Notifier:
    """Wakes the watchers of a job when ``_changed`` hears of it; the listening itself
    (``_listen``) starts with the first watcher and runs as long as the process."""

    def __init__(self) -> None:
        self._watchers: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever job ``job_id`` may have changed (clear it before each read)."""
        event = asyncio.Event()
        self._watchers.setdefault(job_id, set()).add(event)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield event
        finally:
            watchers = self._watchers.get(job_id, set())
            watchers.discard(event)
            if not watchers:
                self._watchers.pop(job_id, None)

    def _changed(self, job_id: str) -> None:
        for event in self._watchers.get(job_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for watchers in self._watchers.values():
            for event in watchers:
                event.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except self._errors() as exc:  # the queue went away: streams re-read; we retry
                log.warning("job events: %s; listening again in 1 s", exc)
                self._wake_all()
                await asyncio.sleep(1.0)

    async def _listen(self) -> None:
        raise NotImplementedError

    def _errors(self) -> tuple[type[BaseException], ...]:
        """What losing the queue looks like to ``_listen``."""
        return (OSError, VoxcapError)


class PollingNotifier(Notifier):
    """SQLite: ``changed_since`` once per ``interval`` for all watchers, run by ``call`` (the
    API's I/O pool)."""

    def __init__(
        self,
        changed_since: Callable[[float], list[tuple[str, float]]],
        call: Callable[..., Awaitable[Any]],
        interval: float = 0.2,
    ) -> None:
        super().__init__()
        self._changed_since, self._call, self.interval = changed_since, call, interval
        self._seen: dict[str, float] = {}

    async def _listen(self) -> None:
        since = time.time()
        while True:
            await asyncio.sleep(self.interval)
            if not self._watchers:
                since = time.time()
                continue
            try:
                rows = await self._call(self._changed_since, since - OVERLAP)
            except VoxcapError:
                self._wake_all()  # the streams find out for themselves
                rows = []
            for job_id, updated in rows:
                if self._seen.get(job_id) != updated:
                    self._seen[job_id] = updated
                    self._changed(job_id)
                since = max(since, updated)
            horizon = since - 2 * OVERLAP
            self._seen = {k: v for k, v in self._seen.items() if v >= horizon}


class RedisNotifier(Notifier):
    """Redis: one subscription to the channel every change is published on."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.url, self.channel = url, channel

    def _errors(self) -> tuple[type[BaseException], ...]:
        from redis import RedisError

        return (OSError, VoxcapError, RedisError)

    async def _listen(self) -> None:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(self.url, decode_responses=True)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(self.channel)
                self._wake_all()  # anything missed while (re)connecting
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                    if message is not None:
                        self._changed(message["data"])
        finally:
            await client.aclose()


def notifier_for(queue: object, call: Callable[..., Awaitable[Any]]) -> Notifier:
    """The notifier for ``queue`` (a RedisQueue or a SqliteQueue); ``call`` runs blocking
    queue calls off the event loop."""
    from voxcap.jobs.redis import EVENTS, RedisQueue
    from voxcap.jobs.sqlite import SqliteQueue

    if isinstance(queue, RedisQueue):
        return RedisNotifier(queue.url, EVENTS)
    assert isinstance(queue, SqliteQueue), queue
    return PollingNotifier(queue.changed_since, call)
