"""The JobQueue contract, kept by both backends (SQLite on one machine, Redis with Celery across
machines) and checked by one test suite (tests/test_queue_contract.py).

A worker starts a job with a lease and keeps it alive with heartbeats; a job whose worker
vanished (its lease ran out) is started again, up to a retry limit, then failed. Only the
worker holding a job can record its end, so every job ends exactly once.
"""

from __future__ import annotations

from typing import Any, Protocol

from voxcap.jobs.records import JobRecord, JobStatus, Start


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

    def start(self, job_id: str, worker: str, lease: float) -> Start:
        """Take job ``job_id`` for ``lease`` seconds if it is queued, or running under a lease
        that ran out (attempts + 1); see :class:`Start` for the other outcomes."""
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

    def seen(self, worker: str) -> None:
        """Record that ``worker`` is alive now (workers call this every few seconds)."""
        ...

    def workers(self, within: float) -> int:
        """How many workers were seen in the last ``within`` seconds."""
        ...

    def counts(self) -> dict[JobStatus, int]:
        """Jobs per status."""
        ...

    def expire(self, older_than: float) -> list[JobRecord]:
        """Remove finished jobs last updated before ``older_than``; returns them."""
        ...

    def totals(self) -> dict[str, tuple[float, int]]:
        """Running totals over every job that succeeded (kept or expired): for each stage, and
        for ``"duration"`` (the audio made), the seconds summed and how many jobs had it.
        Kept as the jobs end, so reading them costs the same however many jobs are kept."""
        ...

    def reclaim(self, lease: float) -> list[str]:
        """Hand on the running jobs whose lease ran out (their worker died): the ids handed
        on, each at most once per ``lease``. A job's start is conditional on its lease, so a
        job handed on twice still runs once. Workers call this every few seconds."""
        ...


class PollingQueue(JobQueue, Protocol):
    """A queue whose workers ask it for work (SQLite); Redis hands jobs out through Celery."""

    def claim(self, worker: str, lease: float) -> JobRecord | None:
        """Take the oldest queued job (or one whose lease expired) for ``lease`` seconds."""
        ...
