"""The JobQueue protocol. Workers claim jobs with a lease and keep it alive with heartbeats; a
job whose lease runs out is claimed again, up to a retry limit, then failed."""

from __future__ import annotations

from typing import Any, Protocol

from voxcap.jobs.records import JobRecord, JobStatus


class JobQueue(Protocol):
    def submit(self, request: dict[str, Any], owner: str | None = None) -> JobRecord:
        """Store a new queued job."""
        ...

    def get(self, job_id: str) -> JobRecord:
        """The job. Raises JobNotFound."""
        ...

    def history(self, owner: str | None, limit: int = 50) -> list[JobRecord]:
        """The jobs ``owner`` submitted that are still kept, newest first."""
        ...

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a queued job. Raises JobNotFound, JobNotCancelable."""
        ...

    def claim(self, worker: str, lease: float) -> JobRecord | None:
        """Take the oldest queued job (or one whose lease expired) for ``lease`` seconds."""
        ...

    def heartbeat(
        self,
        job_id: str,
        worker: str,
        lease: float,
        stage: str | None = None,
        fraction: float = 0.0,
    ) -> bool:
        """Extend the lease and record progress; False if the job is no longer this worker's."""
        ...

    def complete(self, job_id: str, worker: str, result: dict[str, Any]) -> bool:
        """Mark succeeded, once; False if the job is no longer this worker's."""
        ...

    def fail(self, job_id: str, worker: str, error: dict[str, str]) -> bool:
        """Mark failed with ``{"code", "message"}``; False if no longer this worker's."""
        ...

    def probe(self) -> None:
        """Write to the queue; raises QueueUnavailable when it cannot be written."""
        ...

    def counts(self) -> dict[JobStatus, int]:
        """Jobs per status."""
        ...

    def expire(self, older_than: float) -> list[JobRecord]:
        """Remove finished jobs last updated before ``older_than``; returns them."""
        ...

    def finished_timings(self) -> list[dict[str, float]]:
        """The stage timings (and audio duration) of the succeeded jobs still kept."""
        ...
