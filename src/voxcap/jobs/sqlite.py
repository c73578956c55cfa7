"""The embedded job queue: one SQLite file in WAL mode, shared by ``voxcap serve`` and any
number of ``voxcap worker`` processes on the same machine.

Claims happen inside ``BEGIN IMMEDIATE`` transactions, so two workers never take the same job;
every state change after a claim is conditional on the claiming worker still holding the job,
so a worker that lost its lease (it was presumed dead) cannot complete it a second time.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from voxcap.errors import JobNotCancelable, JobNotFound, QueueUnavailable, WorkerDied
from voxcap.jobs.records import JobRecord, JobStatus, Start

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    stage TEXT,
    fraction REAL NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    lease_until REAL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created);
CREATE INDEX IF NOT EXISTS jobs_updated ON jobs (updated);
CREATE TABLE IF NOT EXISTS workers (id TEXT PRIMARY KEY, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS totals (
    name TEXT PRIMARY KEY, seconds REAL NOT NULL, count INTEGER NOT NULL
);
"""
log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
WORKER_DIED = {
    "code": WorkerDied.code,
    "message": "the job's worker stopped responding too many times; giving up",
}


def _translated(method: F) -> F:
    """SQLite's own errors (disk full, read-only, cannot open) become QueueUnavailable."""

    @functools.wraps(method)
    def wrapper(self: SqliteQueue, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            log.error("job queue %s: %s", self.path, exc)
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise QueueUnavailable(f"the job queue cannot be used: {reason}") from None

    return cast(F, wrapper)


class SqliteQueue:
    """A durable queue in ``path``; ``max_attempts`` claims per job before it is failed.
    The file is private to its owner (mode 0600). Raises QueueUnavailable when it cannot be
    opened or written."""

    @_translated
    def __init__(self, path: Path | str, max_attempts: int = 3) -> None:
        self.path = path = Path(path)
        self.max_attempts = max_attempts
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite's -wal/-shm follow
        self._local = threading.local()
        # One writer at a time in this process: threads queue on a lock (woken the moment it
        # is free) instead of in SQLite's busy handler, which sleeps up to 100 ms a try.
        self._writing = threading.Lock()
        self._db().executescript(SCHEMA)  # (executescript manages its own transaction)

    @_translated
    def probe(self) -> None:
        """Write to the queue (a no-op update in a real transaction): fails when it cannot."""
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL)")
            db.execute("INSERT OR REPLACE INTO probe VALUES (1, ?)", (time.time(),))

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        with self._writing:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @_translated
    def submit(self, request: dict[str, Any], owner: str | None = None) -> JobRecord:
        now = time.time()
        job = JobRecord(
            uuid.uuid4().hex, JobStatus.queued, request, None, 0.0, None, None, 0, None, None,
            now, now, owner,
        )  # fmt: skip
        with self._tx() as db:
            db.execute(
                "INSERT INTO jobs (id, status, request, created, updated, owner) "
                "VALUES (?, 'queued', ?, ?, ?, ?)",
                (job.id, json.dumps(request), now, now, owner),
            )
        return job

    @_translated
    def get(self, job_id: str) -> JobRecord:
        row = self._db().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no job {job_id!r}")
        return _record(row)

    @_translated
    def history(self, owner: str | None, limit: int = 50) -> list[JobRecord]:
        rows = self._db().execute(
            "SELECT * FROM jobs WHERE owner IS ? ORDER BY created DESC LIMIT ?", (owner, limit)
        )
        return [_record(r) for r in rows]

    @_translated
    def cancel(self, job_id: str) -> JobRecord:
        with self._tx() as db:
            row = db.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFound(f"no job {job_id!r}")
            if row["status"] != JobStatus.queued:
                raise JobNotCancelable(
                    f"job {job_id} is {row['status']}; only queued jobs can be canceled"
                )
            db.execute(
                "UPDATE jobs SET status = 'canceled', updated = ? WHERE id = ?",
                (time.time(), job_id),
            )
        return self.get(job_id)

    @_translated
    def claim(self, worker: str, lease: float) -> JobRecord | None:
        now = time.time()
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = 'failed', error = ?, worker = NULL, updated = ? "
                "WHERE status = 'running' AND lease_until < ? AND attempts >= ?",
                (json.dumps(WORKER_DIED), now, now, self.max_attempts),
            )
            row = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' "
                "OR (status = 'running' AND lease_until < ?) ORDER BY created LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, "
                "attempts = attempts + 1, stage = NULL, fraction = 0, updated = ? WHERE id = ?",
                (worker, now + lease, now, row["id"]),
            )
        return self.get(row["id"])

    @_translated
    def start(self, job_id: str, worker: str, lease: float) -> Start:
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return Start.missing
            status = JobStatus(row["status"])
            if status.finished:
                return Start.finished
            if status == JobStatus.running and row["lease_until"] >= now:
                return Start.busy
            if status == JobStatus.running and row["attempts"] >= self.max_attempts:
                db.execute(
                    "UPDATE jobs SET status = 'failed', error = ?, worker = NULL, updated = ? "
                    "WHERE id = ?",
                    (json.dumps(WORKER_DIED), now, job_id),
                )
                return Start.exhausted
            db.execute(
                "UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, "
                "attempts = attempts + 1, stage = NULL, fraction = 0, updated = ? WHERE id = ?",
                (worker, now + lease, now, job_id),
            )
        return Start.started

    @_translated
    def changed_since(self, since: float) -> list[tuple[str, float]]:
        """(id, updated) of the jobs updated after ``since``: one query serves every watcher
        in this process (:mod:`voxcap.jobs.notify`)."""
        rows = self._db().execute("SELECT id, updated FROM jobs WHERE updated > ?", (since,))
        return [(r["id"], r["updated"]) for r in rows]

    @_translated
    def heartbeat(
        self,
        job_id: str,
        worker: str,
        lease: float,
        stage: str | None = None,
        fraction: float = 0.0,
    ) -> bool:
        now = time.time()
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET lease_until = ?, stage = COALESCE(?, stage), "
                "fraction = CASE WHEN ? IS NULL THEN fraction ELSE ? END, updated = ? "
                "WHERE id = ? AND worker = ? AND status = 'running'",
                (now + lease, stage, stage, fraction, now, job_id, worker),
            )
        return cursor.rowcount == 1

    @_translated
    def complete(self, job_id: str, worker: str, result: dict[str, Any]) -> bool:
        return self._finish(job_id, worker, "succeeded", "result", result)

    @_translated
    def fail(self, job_id: str, worker: str, error: dict[str, str]) -> bool:
        return self._finish(job_id, worker, "failed", "error", error)

    def _finish(
        self, job_id: str, worker: str, status: str, column: str, value: dict[str, Any]
    ) -> bool:
        with self._tx() as db:
            cursor = db.execute(
                f"UPDATE jobs SET status = ?, {column} = ?, fraction = 1, lease_until = NULL, "
                "updated = ? WHERE id = ? AND worker = ? AND status = 'running'",
                (status, json.dumps(value), time.time(), job_id, worker),
            )
            if cursor.rowcount == 1 and status == "succeeded":
                db.executemany(
                    "INSERT INTO totals VALUES (?, ?, 1) ON CONFLICT (name) DO UPDATE SET "
                    "seconds = seconds + excluded.seconds, count = count + 1",
                    measured(value).items(),
                )
        return cursor.rowcount == 1

    @_translated
    def seen(self, worker: str) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO workers VALUES (?, ?)", (worker, now))
            db.execute("DELETE FROM workers WHERE seen < ?", (now - 3600,))

    @_translated
    def workers(self, within: float) -> int:
        row = (
            self._db()
            .execute("SELECT COUNT(*) AS n FROM workers WHERE seen >= ?", (time.time() - within,))
            .fetchone()
        )
        return int(row["n"])

    @_translated
    def counts(self) -> dict[JobStatus, int]:
        rows = self._db().execute("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        found = {JobStatus(r["status"]): int(r["n"]) for r in rows}
        return {status: found.get(status, 0) for status in JobStatus}

    @_translated
    def expire(self, older_than: float) -> list[JobRecord]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE status IN ('succeeded', 'failed', 'canceled') "
                "AND updated < ?",
                (older_than,),
            ).fetchall()
            db.executemany("DELETE FROM jobs WHERE id = ?", [(r["id"],) for r in rows])
        return [_record(r) for r in rows]

    def reclaim(self, lease: float) -> list[str]:
        """Nothing to do: workers claim a job whose lease ran out themselves (``claim``)."""
        return []

    @_translated
    def totals(self) -> dict[str, tuple[float, int]]:
        rows = self._db().execute("SELECT name, seconds, count FROM totals")
        return {row["name"]: (row["seconds"], row["count"]) for row in rows}


def measured(result: dict[str, Any]) -> dict[str, float]:
    """A succeeded job's stage seconds and its audio's duration, as the totals count them."""
    timings = result.get("timings") or {}
    measured = {k: float(v) for k, v in timings.items() if isinstance(v, int | float)}
    if isinstance(result.get("duration"), int | float):
        measured["duration"] = float(result["duration"])
    return measured


def _record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        id=row["id"],
        status=JobStatus(row["status"]),
        request=json.loads(row["request"]),
        stage=row["stage"],
        fraction=row["fraction"],
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
        attempts=row["attempts"],
        worker=row["worker"],
        lease_until=row["lease_until"],
        created=row["created"],
        updated=row["updated"],
        owner=row["owner"],
    )
