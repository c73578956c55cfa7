"""One contract, two backends: every test here runs on the SQLite queue and on the Redis queue
(a real redis-server on a free loopback port, persistence on)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voxcap.errors import JobNotCancelable, JobNotFound, QueueUnavailable
from voxcap.jobs.base import JobQueue
from voxcap.jobs.records import JobStatus, Start
from voxcap.jobs.redis import RedisQueue
from voxcap.jobs.sqlite import SqliteQueue

from .servers import RedisServer, free_port, redis_server

REQUEST = {"text": "Hello.", "audio_format": "wav", "captions": ["json"]}


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[type]:
    """A function making a fresh, empty queue of the backend (with ``max_attempts``)."""
    if request.param == "sqlite":
        yield lambda max_attempts=3: SqliteQueue(tmp_path / "q.sqlite3", max_attempts)
        return
    server: RedisServer = request.getfixturevalue("redis")
    made: list[RedisQueue] = []

    def redis_queue(max_attempts: int = 3) -> RedisQueue:
        queue = RedisQueue(server.url, max_attempts)
        queue.client.flushdb()
        made.append(queue)
        return queue

    yield redis_queue  # type: ignore[misc]
    for queue in made:
        queue.client.close()


@pytest.fixture
def queue(make: type) -> JobQueue:
    made: JobQueue = make()
    return made


def test_submit_and_get(queue: JobQueue) -> None:
    job = queue.submit(REQUEST, owner="key:a")
    assert job.status == JobStatus.queued and job.request == REQUEST and job.owner == "key:a"
    stored = queue.get(job.id)
    assert stored == job
    with pytest.raises(JobNotFound):
        queue.get("nope")


def test_a_job_is_started_once_and_ends_once(queue: JobQueue) -> None:
    job = queue.submit(REQUEST)
    assert queue.start(job.id, "w1", lease=30) == Start.started
    running = queue.get(job.id)
    assert running.status == JobStatus.running and running.attempts == 1 and running.worker == "w1"
    assert queue.start(job.id, "w2", lease=30) == Start.busy  # a duplicate delivery
    assert queue.heartbeat(job.id, "w1", 30, "synthesize", 0.5)
    assert not queue.heartbeat(job.id, "w2", 30, "synthesize", 0.9)
    progress = queue.get(job.id)
    assert (progress.stage, progress.fraction) == ("synthesize", 0.5)
    assert queue.heartbeat(job.id, "w1", 30)  # a beat without news keeps the stage
    assert queue.get(job.id).stage == "synthesize"
    assert not queue.complete(job.id, "w2", {"not": "mine"})
    assert queue.complete(job.id, "w1", {"ok": True})
    assert not queue.complete(job.id, "w1", {"twice": True})
    done = queue.get(job.id)
    assert done.status == JobStatus.succeeded and done.result == {"ok": True}
    assert done.fraction == 1.0
    assert queue.start(job.id, "w3", lease=30) == Start.finished
    assert queue.start("nope", "w3", lease=30) == Start.missing


def test_a_lost_lease_passes_the_job_on(queue: JobQueue) -> None:
    job = queue.submit(REQUEST)
    assert queue.start(job.id, "w1", lease=0.05) == Start.started
    time.sleep(0.1)
    assert queue.start(job.id, "w2", lease=30) == Start.started
    assert queue.get(job.id).attempts == 2
    assert not queue.heartbeat(job.id, "w1", 30)
    assert not queue.fail(job.id, "w1", {"code": "x", "message": "late"})
    assert queue.complete(job.id, "w2", {"ok": True})


def test_a_job_whose_workers_keep_dying_fails(make: type) -> None:
    queue: JobQueue = make(max_attempts=2)
    job = queue.submit(REQUEST)
    for worker in ("w1", "w2"):
        assert queue.start(job.id, worker, lease=0.01) == Start.started
        time.sleep(0.05)
    assert queue.start(job.id, "w3", lease=30) == Start.exhausted
    failed = queue.get(job.id)
    assert failed.status == JobStatus.failed and failed.error is not None
    assert failed.error["code"] == "worker_died"


def test_fail_records_the_error(queue: JobQueue) -> None:
    job = queue.submit(REQUEST)
    queue.start(job.id, "w1", 30)
    assert queue.fail(job.id, "w1", {"code": "invalid_input", "message": "no"})
    failed = queue.get(job.id)
    assert failed.status == JobStatus.failed and failed.error == {
        "code": "invalid_input",
        "message": "no",
    }


def test_only_queued_jobs_can_be_canceled(queue: JobQueue) -> None:
    first, second = queue.submit(REQUEST), queue.submit(REQUEST)
    assert queue.cancel(first.id).status == JobStatus.canceled
    assert queue.start(first.id, "w", 30) == Start.finished
    queue.start(second.id, "w", 30)
    with pytest.raises(JobNotCancelable):
        queue.cancel(second.id)
    with pytest.raises(JobNotFound):
        queue.cancel("nope")


def test_history_counts_expiry_and_timings(queue: JobQueue) -> None:
    mine = [queue.submit(REQUEST, owner="key:a") for _ in range(3)]
    theirs = queue.submit(REQUEST, owner="key:b")
    assert [j.id for j in queue.history("key:a")] == [j.id for j in reversed(mine)]
    assert [j.id for j in queue.history("key:a", limit=2)] == [mine[2].id, mine[1].id]
    assert [j.id for j in queue.history("key:b")] == [theirs.id]
    queue.start(mine[0].id, "w", 30)
    queue.complete(mine[0].id, "w", {"timings": {"synthesize": 0.5}, "duration": 2.0})
    queue.cancel(mine[1].id)
    assert queue.counts() == {
        JobStatus.queued: 2,
        JobStatus.running: 0,
        JobStatus.succeeded: 1,
        JobStatus.failed: 0,
        JobStatus.canceled: 1,
    }
    assert queue.totals() == {"synthesize": (0.5, 1), "duration": (2.0, 1)}
    assert queue.expire(time.time() - 60) == []
    gone = queue.expire(time.time() + 1)
    assert sorted(j.id for j in gone) == sorted([mine[0].id, mine[1].id])
    assert [j.id for j in queue.history("key:a")] == [mine[2].id]
    with pytest.raises(JobNotFound):
        queue.get(mine[0].id)
    assert sum(queue.counts().values()) == 2
    # the totals are running counters: they outlive the jobs, and a late or second end of a
    # job adds nothing (reliability report #3: /metrics walked every kept job)
    assert not queue.complete(mine[0].id, "w", {"timings": {"synthesize": 9.0}, "duration": 9})
    assert queue.totals() == {"synthesize": (0.5, 1), "duration": (2.0, 1)}


def test_of_many_workers_starting_one_job_exactly_one_gets_it(queue: JobQueue) -> None:
    job = queue.submit(REQUEST)
    outcomes: list[Start] = []
    gate = threading.Barrier(8)

    def take(worker: str) -> None:
        gate.wait()
        outcomes.append(queue.start(job.id, worker, 30))

    threads = [threading.Thread(target=take, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([Start.started] + [Start.busy] * 7)


def test_probe_and_worker_presence(queue: JobQueue) -> None:
    queue.probe()
    assert queue.workers(within=30) == 0
    queue.seen("w1")
    queue.seen("w2")
    queue.seen("w1")
    assert queue.workers(within=30) == 2
    time.sleep(0.2)
    queue.seen("w3")
    assert queue.workers(within=0.1) == 1


def test_an_unreachable_redis_is_queue_unavailable() -> None:
    queue = RedisQueue(f"redis://:secret@127.0.0.1:{free_port()}/0")
    with pytest.raises(QueueUnavailable) as caught:
        queue.probe()
    assert "secret" not in caught.value.message


def test_a_worker_drops_expired_jobs_and_their_files_even_when_busy_or_idle(
    queue: JobQueue, tmp_path: Path
) -> None:
    from voxcap.jobs.worker import Worker
    from voxcap.runtime import Runtime
    from voxcap.settings import Settings
    from voxcap.storage import keys

    runtime = Runtime(Settings(storage=f"file://{tmp_path / 'store'}", retention=0.05))
    old = queue.submit(REQUEST)
    queue.start(old.id, "w", 30)
    queue.complete(old.id, "w", {"ok": True})
    runtime.store.put(keys.output(old.id, "speech.wav"), b"RIFF", "audio/wav")
    kept = queue.submit(REQUEST)  # still queued: never expired
    time.sleep(0.1)
    worker = Worker(runtime, queue)
    with worker.present():  # no job loop at all: the presence beat does it
        deadline = time.monotonic() + 10
        while queue.counts()[JobStatus.succeeded] and time.monotonic() < deadline:
            time.sleep(0.05)
    with pytest.raises(JobNotFound):
        queue.get(old.id)
    assert runtime.store.list(keys.output_prefix(old.id)) == []
    assert queue.get(kept.id).status == JobStatus.queued
    assert queue.workers(within=30) == 1


def test_a_dead_workers_job_is_handed_on_once_per_lease(queue: JobQueue) -> None:
    """Reliability report #7: on Redis a kill -9'd worker's job stayed running until Celery's
    4-hour visibility timeout. Workers now hand on a job whose lease ran out (SQLite workers
    claim it themselves), at most once per lease; starting it stays conditional on the lease."""
    job = queue.submit(REQUEST)
    assert queue.start(job.id, "dead", lease=0.05) == Start.started
    live = queue.submit(REQUEST)
    assert queue.start(live.id, "alive", lease=30) == Start.started
    time.sleep(0.1)
    handed = queue.reclaim(lease=30)
    if isinstance(queue, SqliteQueue):
        assert handed == []
        claimed = queue.claim("w2", lease=30)
        assert claimed is not None and claimed.id == job.id
        return
    assert handed == [job.id]  # not the job whose worker is alive
    assert queue.reclaim(lease=30) == []  # once per lease
    messages = queue.client.llen("voxcap")  # the Celery queue: the submits' and the hand-on
    assert messages == 3, messages
    assert queue.start(job.id, "w2", lease=30) == Start.started
    assert queue.start(job.id, "w3", lease=30) == Start.busy  # the duplicate is harmless
