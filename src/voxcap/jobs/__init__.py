"""Durable jobs: the queue contract, its two backends, and the worker.

``VOXCAP_QUEUE`` picks the backend: a file path is the embedded SQLite queue (one machine);
``redis://`` (or ``rediss://``, ``unix://``) is Redis or Valkey with Celery workers on any
number of machines (docs/SCALE.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxcap.jobs.base import JobQueue
from voxcap.jobs.records import JobRecord, JobStatus

if TYPE_CHECKING:
    from voxcap.settings import Settings

__all__ = ["REDIS_SCHEMES", "JobQueue", "JobRecord", "JobStatus", "open_queue"]
REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "valkey://", "valkeys://")


def open_queue(settings: Settings) -> JobQueue:
    """The queue ``settings.queue`` names. Raises QueueUnavailable, MissingDependency."""
    if settings.queue.startswith(REDIS_SCHEMES):
        from voxcap.jobs.redis import RedisQueue

        url = settings.queue.replace("valkey", "redis", 1)  # Valkey speaks Redis's protocol
        return RedisQueue(url, settings.max_attempts, settings.visibility_timeout)
    from voxcap.jobs.sqlite import SqliteQueue

    return SqliteQueue(settings.queue, settings.max_attempts)
