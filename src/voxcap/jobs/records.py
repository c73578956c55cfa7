"""A job as stored: what was asked, where it stands, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"

    @property
    def finished(self) -> bool:
        return self in {JobStatus.succeeded, JobStatus.failed, JobStatus.canceled}


class Start(StrEnum):
    """What came of a worker's asking to start a given job (``JobQueue.start``)."""

    started = "started"  # it is this worker's now (attempts + 1)
    busy = "busy"  # another worker holds a live lease on it: ask again after the lease
    finished = "finished"  # succeeded, failed or canceled already: nothing to do
    exhausted = "exhausted"  # its workers died max_attempts times: failed with worker_died
    missing = "missing"  # no such job (expired)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """``request`` and ``result`` are the JSON documents of voxcap.schemas; ``result`` holds
    object keys, signed into URLs when read."""

    id: str
    status: JobStatus
    request: dict[str, Any]
    stage: str | None
    fraction: float
    result: dict[str, Any] | None
    error: dict[str, str] | None
    attempts: int
    worker: str | None
    lease_until: float | None
    created: float
    updated: float
    owner: str | None = None  # fingerprint of the API key that submitted it
