"""The durable SQLite queue and real worker processes: leases, kill -9, retries, load."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from voxcap.errors import JobNotCancelable, JobNotFound
from voxcap.jobs.records import JobStatus
from voxcap.jobs.sqlite import SqliteQueue
from voxcap.jobs.worker import Worker
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.storage import create_store, keys

from .apihelp import KEY, live_api

REQUEST = {"text": "Hello.", "audio_format": "wav", "captions": ["json"]}


def test_a_lost_lease_cannot_complete(tmp_path: Path) -> None:
    queue = SqliteQueue(tmp_path / "q.sqlite3")
    job = queue.submit(REQUEST)
    assert queue.claim("w1", lease=0.05) is not None
    time.sleep(0.1)
    again = queue.claim("w2", lease=30)
    assert again is not None and again.id == job.id and again.attempts == 2
    assert not queue.heartbeat(job.id, "w1", 30)
    assert not queue.complete(job.id, "w1", {"late": True})
    assert queue.complete(job.id, "w2", {"ok": True})
    assert not queue.complete(job.id, "w2", {"twice": True})
    assert queue.get(job.id).result == {"ok": True}
    assert queue.claim("w3", lease=30) is None


def test_a_job_whose_worker_keeps_dying_fails(tmp_path: Path) -> None:
    queue = SqliteQueue(tmp_path / "q.sqlite3", max_attempts=2)
    job = queue.submit(REQUEST)
    for worker in ("w1", "w2"):
        assert queue.claim(worker, lease=0.01) is not None
        time.sleep(0.05)
    assert queue.claim("w3", lease=30) is None
    failed = queue.get(job.id)
    assert failed.status == JobStatus.failed and failed.error is not None
    assert failed.error["code"] == "worker_died"


def test_cancel_counts_and_expiry(tmp_path: Path) -> None:
    queue = SqliteQueue(tmp_path / "q.sqlite3")
    first, second = queue.submit(REQUEST), queue.submit(REQUEST)
    assert queue.cancel(first.id).status == JobStatus.canceled
    claimed = queue.claim("w", 30)
    assert claimed is not None and claimed.id == second.id
    with pytest.raises(JobNotCancelable):
        queue.cancel(second.id)
    with pytest.raises(JobNotFound):
        queue.cancel("nope")
    assert queue.counts()[JobStatus.running] == 1
    assert [j.id for j in queue.expire(time.time() + 1)] == [first.id]
    with pytest.raises(JobNotFound):
        queue.get(first.id)


def test_an_unexpected_error_fails_the_job_not_the_worker(tmp_path: Path, runtime: Runtime) -> None:
    class Broken:  # a fake engine, to test the worker (the caller of the protocol)
        name = "broken"
        presets = ()

        @classmethod
        def languages(cls, voice: object, settings: object) -> None:
            return None  # any

        def synthesize(self, *args: object, **kwargs: object) -> object:
            raise RuntimeError("boom")

    settings = Settings(storage=f"file://{tmp_path / 'store'}", queue=tmp_path / "q.sqlite3")
    rt = Runtime(settings)
    rt._engines = {**runtime._engines, "broken": Broken()}  # type: ignore[dict-item]
    rt._aligners = runtime._aligners
    queue = SqliteQueue(settings.queue)
    bad = queue.submit({**REQUEST, "engine": "broken"})
    good = queue.submit(REQUEST)
    worker = Worker(rt, queue)
    assert worker.run_once() and worker.run_once()
    assert queue.get(bad.id).error == {
        "code": "internal_error",
        "message": "unexpected failure; see the log",
    }
    assert queue.get(good.id).status == JobStatus.succeeded


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "voxcap", "worker"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
def test_kill_9_mid_job_and_every_job_succeeds_exactly_once(tmp_path: Path) -> None:
    env = {
        "VOXCAP_QUEUE": str(tmp_path / "q.sqlite3"),
        "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}",
        "VOXCAP_LEASE": "2",
        "VOXCAP_LOG_LEVEL": "INFO",
    }
    queue = SqliteQueue(tmp_path / "q.sqlite3")
    text = (
        "A longer narration so that the worker is busy for a while. It has several "
        "sentences, and each one takes time to speak. The last one ends here."
    )
    jobs = [queue.submit({**REQUEST, "text": text}) for _ in range(6)]
    log = tmp_path / "workers.log"
    first = start_worker(env, log)
    try:
        wait_for(lambda: queue.counts()[JobStatus.running] == 1, 60, "a running job")
        victim = next(j for j in (queue.get(j.id) for j in jobs) if j.status == "running")
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert queue.get(victim.id).status == JobStatus.running  # stranded, for now
        second = start_worker(env, log)
        try:
            wait_for(
                lambda: all(queue.get(j.id).status.finished for j in jobs),
                240,
                "every job to finish",
            )
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    finished = [queue.get(j.id) for j in jobs]
    assert [j.status for j in finished] == [JobStatus.succeeded] * 6, log.read_text()[-2000:]
    assert queue.get(victim.id).attempts == 2
    assert queue.counts()[JobStatus.running] == 0
    store = create_store(Settings(storage=env["VOXCAP_STORAGE"]))
    for job in finished:
        assert store.list(keys.output_prefix(job.id)) == [
            keys.output(job.id, "speech.wav"),
            keys.output(job.id, "words.json"),
        ]
    assert log.read_text().count("succeeded") == 6


@pytest.mark.long
@pytest.mark.slow
def test_200_concurrent_submissions(tmp_path: Path, runtime: Runtime) -> None:
    with live_api(tmp_path, runtime, rate_limit=100_000) as api:
        env = {"VOXCAP_QUEUE": str(api.settings.queue), "VOXCAP_STORAGE": api.settings.storage}
        workers = [start_worker(env, tmp_path / "workers.log") for _ in range(2)]
        try:
            statuses, ids = asyncio.run(_submit_many(api.url, 200))
            assert statuses == [202] * 200
            queue = SqliteQueue(api.settings.queue)
            wait_for(lambda: queue.counts()[JobStatus.succeeded] == 200, 400, "200 jobs to succeed")
            assert len(set(ids)) == 200
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)


async def _submit_many(url: str, count: int) -> tuple[list[int], list[str]]:
    limits = httpx.Limits(max_connections=50)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(
        base_url=url, limits=limits, headers=headers, timeout=120
    ) as client:
        responses = await asyncio.gather(
            *[
                client.post("/v1/speech", json={**REQUEST, "text": f"Job number {i}."})
                for i in range(count)
            ]
        )
    return [r.status_code for r in responses], [r.json()["id"] for r in responses]


def test_retention_removes_finished_jobs_and_their_files(tmp_path: Path, runtime: Runtime) -> None:
    settings = Settings(
        storage=f"file://{tmp_path / 'store'}", queue=tmp_path / "q.sqlite3", retention=0.5
    )
    rt = Runtime(settings)
    rt._engines, rt._aligners = runtime._engines, runtime._aligners
    queue = SqliteQueue(settings.queue)
    job = queue.submit(REQUEST)
    worker = Worker(rt, queue)
    assert worker.run_once()
    assert rt.store.list(keys.output_prefix(job.id))
    time.sleep(0.6)
    worker.expire()
    assert rt.store.list(keys.output_prefix(job.id)) == []
    with pytest.raises(JobNotFound):
        queue.get(job.id)
