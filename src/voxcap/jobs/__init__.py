"""Durable jobs: a queue protocol, the embedded SQLite queue, and the worker loop."""

from voxcap.jobs.base import JobQueue
from voxcap.jobs.records import JobRecord, JobStatus

__all__ = ["JobQueue", "JobRecord", "JobStatus"]
