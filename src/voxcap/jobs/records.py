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
