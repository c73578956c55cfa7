"""The worker: run a job's pipeline with a heartbeat, store the files, record the result.

On the SQLite queue a worker loops, claiming jobs (``run``); on the Redis queue Celery delivers
them (:mod:`voxcap.jobs.distributed`) and the same :meth:`Worker.process` runs each. ``voxcap
worker`` runs one for the configured queue; ``voxcap serve --workers N`` starts N beside the API.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar, cast

from voxcap.errors import QueueUnavailable, VoxcapError
from voxcap.jobs.base import JobQueue, PollingQueue
from voxcap.jobs.records import JobRecord
from voxcap.pipeline import ProgressEvent
from voxcap.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")
PRESENCE = 5.0  # seconds between a worker's "still here" to the queue
SEEN_WITHIN = 30.0  # a worker silent this long is not counted as alive
PATIENCE = 300.0  # seconds a finished job waits for its queue to come back (a Redis restart)


class Stop(Protocol):
    """What a worker loop needs of its stop signal (a ``threading.Event`` will do)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float) -> bool: ...


class SignalStop:
    """A stop flag that a signal handler may set. Setting it is one attribute assignment: no
    lock, so a signal landing anywhere (inside a wait, inside another handler, inside
    ``Thread.start``) cannot deadlock. A worker once ignored SIGTERM for good because its
    handler called ``Event.set()`` while the interrupted main thread held that event's lock;
    a handler that starts a thread instead can still hang on ``threading``'s own locks."""

    def __init__(self) -> None:
        self._set = False

    def set(self, *_: object) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float) -> bool:
        """Sleep until set or ``timeout`` passes (in slices of 50 ms: sleeping takes no lock)."""
        end = time.monotonic() + timeout
        while not self._set and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
        return self._set


class Worker:
    """Runs jobs from ``queue`` with ``runtime`` (the model loads once, on the first job)."""

    def __init__(self, runtime: Runtime, queue: JobQueue, poll: float = 0.25) -> None:
        self.runtime = runtime
        self.queue = queue
        self.poll = poll
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._last_expiry = 0.0
        self._expiring = threading.Lock()

    def run(self, stop: Stop) -> None:
        """Work until ``stop`` is set."""
        log.info("worker %s started", self.id)
        with self.present():
            self._loop(stop)

    @contextlib.contextmanager
    def present(self) -> Iterator[None]:
        """Tell the queue this worker is alive every PRESENCE seconds, even mid-job (what the
        ``voxcap_workers`` metric counts), hand on the jobs of workers that died (their lease
        ran out), and drop expired jobs once a minute, busy or idle."""
        done = threading.Event()

        def beat() -> None:
            while True:
                try:
                    self.queue.seen(self.id)
                    self.queue.reclaim(self.runtime.settings.lease)  # dead workers' jobs
                    self.expire()
                except VoxcapError as exc:  # the queue or store is away: next time
                    log.warning("worker %s: %s", self.id, exc.message)
                if done.wait(PRESENCE):
                    return

        thread = threading.Thread(target=beat, name="voxcap-presence", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _loop(self, stop: Stop) -> None:
        while not stop.is_set():
            try:
                if not self.run_once():
                    stop.wait(self.poll)
            except QueueUnavailable as exc:  # disk full, say: wait for it to come back
                log.error("worker %s: %s; retrying in 5 s", self.id, exc.message)
                stop.wait(5)

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue had none."""
        job = cast(PollingQueue, self.queue).claim(self.id, self.runtime.settings.lease)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: JobRecord) -> None:
        from voxcap.narrate import JOBS

        lease = self.runtime.settings.lease
        beat = _Heartbeat(self.queue, job.id, self.id, lease)
        log.info("job %s: started (attempt %d)", job.id, job.attempts)
        try:
            with beat:
                schema, run = JOBS[job.request.get("operation", "speak")]
                document = run(
                    self.runtime, schema.model_validate(job.request), job.id, beat.progress
                )
        except VoxcapError as exc:
            log.info("job %s: failed: %s", job.id, exc.message)
            error = {"code": exc.code, "message": exc.message}
            self._record(job.id, self.queue.fail, job.id, self.id, error)
            return
        except Exception:
            log.exception("job %s: unexpected failure", job.id)
            error = {"code": VoxcapError.code, "message": "unexpected failure; see the log"}
            self._record(job.id, self.queue.fail, job.id, self.id, error)
            return
        if not self._record(job.id, self.queue.complete, job.id, self.id, document.model_dump()):
            log.warning("job %s: finished, but its lease had passed to another worker", job.id)
        else:
            log.info("job %s: succeeded (%.2f s of audio)", job.id, document.duration)

    def _record(self, job_id: str, change: Callable[..., T], *args: object) -> T:
        """Record a job's end, waiting up to PATIENCE seconds for an unavailable queue (a
        Redis restart, a full disk) rather than losing the work."""
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                return change(*args)
            except QueueUnavailable as exc:
                if time.monotonic() > deadline:
                    raise
                log.warning("job %s: cannot record its end yet (%s); retrying", job_id, exc)
                time.sleep(1.0)

    def expire(self) -> None:
        """Drop finished jobs (and their files) past the retention, at most once a minute."""
        now = time.time()
        with self._expiring:
            if now - self._last_expiry < 60:
                return
            self._last_expiry = now
        from voxcap.storage import keys

        for job in self.queue.expire(now - self.runtime.settings.retention):
            for key in self.runtime.store.list(keys.output_prefix(job.id)):
                self.runtime.store.delete(key)
            if "upload" in job.request:  # the recording a POST /v1/align job captioned
                self.runtime.store.delete(job.request["upload"])


class _Heartbeat:
    """Extends the job's lease every lease/3 seconds and records the latest progress."""

    def __init__(self, queue: JobQueue, job_id: str, worker: str, lease: float) -> None:
        self.queue, self.job_id, self.worker, self.lease = queue, job_id, worker, lease
        self._stop = threading.Event()
        self._event: ProgressEvent | None = None
        self._last = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def progress(self, event: ProgressEvent) -> None:
        self._event = event
        now = time.monotonic()
        if now - self._last >= 0.25 or event.fraction >= 1.0:  # live progress, throttled
            self._last = now
            self._beat()

    def _run(self) -> None:
        while not self._stop.wait(self.lease / 3):
            self._beat()

    def _beat(self) -> None:
        event = self._event
        try:
            self.queue.heartbeat(
                self.job_id,
                self.worker,
                self.lease,
                event.stage if event else None,
                event.fraction if event else 0.0,
            )
        except QueueUnavailable as exc:  # the next beat may get through; the job goes on
            log.warning("job %s: heartbeat missed: %s", self.job_id, exc.message)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
