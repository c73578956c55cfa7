"""The worker loop: claim a job, run the pipeline with a heartbeat, store the files, record the
result. ``voxcap worker`` runs one; ``voxcap serve --workers N`` starts N beside the API."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Protocol

from voxcap.errors import QueueUnavailable, VoxcapError
from voxcap.jobs.base import JobQueue
from voxcap.jobs.records import JobRecord
from voxcap.pipeline import ProgressEvent
from voxcap.runtime import Runtime

log = logging.getLogger(__name__)


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

    def run(self, stop: Stop) -> None:
        """Work until ``stop`` is set."""
        log.info("worker %s started", self.id)
        while not stop.is_set():
            try:
                if not self.run_once():
                    self._expire()
                    stop.wait(self.poll)
            except QueueUnavailable as exc:  # disk full, say: wait for it to come back
                log.error("worker %s: %s; retrying in 5 s", self.id, exc.message)
                stop.wait(5)

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue had none."""
        job = self.queue.claim(self.id, self.runtime.settings.lease)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: JobRecord) -> None:
        from voxcap.narrate import narrate
        from voxcap.schemas import SpeechJob

        lease = self.runtime.settings.lease
        beat = _Heartbeat(self.queue, job.id, self.id, lease)
        log.info("job %s: started (attempt %d)", job.id, job.attempts)
        try:
            with beat:
                spec = SpeechJob.model_validate(job.request)
                document = narrate(self.runtime, spec, job.id, beat.progress)
            if not self.queue.complete(job.id, self.id, document.model_dump()):
                log.warning("job %s: finished, but its lease had passed to another worker", job.id)
            else:
                log.info("job %s: succeeded (%.2f s of audio)", job.id, document.duration)
        except VoxcapError as exc:
            log.info("job %s: failed: %s", job.id, exc.message)
            self.queue.fail(job.id, self.id, {"code": exc.code, "message": exc.message})
        except Exception:
            log.exception("job %s: unexpected failure", job.id)
            self.queue.fail(
                job.id,
                self.id,
                {"code": VoxcapError.code, "message": "unexpected failure; see the log"},
            )

    def _expire(self) -> None:
        """Drop finished jobs (and their files) past the retention, at most once a minute."""
        now = time.time()
        if now - self._last_expiry < 60:
            return
        self._last_expiry = now
        from voxcap.storage import keys

        for job in self.queue.expire(now - self.runtime.settings.retention):
            for key in self.runtime.store.list(keys.output_prefix(job.id)):
                self.runtime.store.delete(key)


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
        self.queue.heartbeat(
            self.job_id,
            self.worker,
            self.lease,
            event.stage if event else None,
            event.fraction if event else 0.0,
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
