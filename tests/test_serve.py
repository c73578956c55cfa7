"""``voxcap serve`` as an operator runs it: a real process with real workers. Workers are
supervised (a killed one is replaced), stop with the server on SIGTERM and on ``kill -9``, and
signed URLs name the port actually served (reliability report #3 and #4, first-use report #2)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from .servers import alive, serve, wait_for


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_signed_urls_name_the_served_port(
    tmp_path: Path,
) -> None:
    with serve(tmp_path, "--workers", "1") as served:
        wait_for(lambda: len(served.workers()) == 1, 30, "the worker")
        assert httpx.get(f"{served.url}/readyz").json() == {"status": "ready", "workers": 1}
        [first] = served.workers()
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: served.workers() not in ([], [first]), 30, "a new worker")
        assert "exited with signal 9; restarting" in served.log()
        job = httpx.post(
            f"{served.url}/v1/speech?wait=120", json={"text": "Still here."}, timeout=130
        ).json()
        assert job["status"] == "succeeded", job
        assert job["result"]["audio"]["url"].startswith(f"{served.url}/files/")
        assert httpx.get(job["result"]["audio"]["url"]).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_stop_with_the_server(tmp_path: Path, how: signal.Signals) -> None:
    with serve(tmp_path, "--workers", "2") as served:
        wait_for(lambda: len(served.workers()) == 2, 30, "two workers")
        workers = served.workers()
        served.process.send_signal(how)
        served.process.wait(timeout=40)
        wait_for(lambda: not any(alive(pid) for pid in workers), 20, "the workers to stop")
        if how == signal.SIGTERM:
            assert served.process.returncode == 0


def test_a_crashing_worker_is_retried_with_backoff_and_readyz_says_so(tmp_path: Path) -> None:
    """A worker that dies at once is restarted with a doubling backoff (logged), and /readyz
    answers 503 naming it rather than "ready" (the report's 22 stuck jobs)."""
    from voxcap.api.app import create_app
    from voxcap.jobs.supervisor import Supervisor
    from voxcap.settings import Settings

    from .servers import uvicorn_server

    supervisor = Supervisor(1, [sys.executable, "-c", "raise SystemExit(3)"], check=0.05)
    settings = Settings(
        engine="piper",
        storage=f"file://{tmp_path / 'store'}",
        queue=tmp_path / "jobs.sqlite3",
        voice_cache_dir=tmp_path / "cache",
    )
    app = create_app(settings)
    app.state.supervisor = supervisor
    supervisor.start()
    try:
        wait_for(lambda: len(supervisor.slots[0].exits) >= 3, 20, "three exits")
        assert supervisor.slots[0].exits[:3] == [3, 3, 3]
        assert supervisor.slots[0].backoff >= 8  # 1, 2, 4, then 8 s
        assert supervisor.alive() == 0
        with uvicorn_server(app) as url:
            response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        assert "none of the 1 workers is running" in response.json()["error"]["message"]
    finally:
        supervisor.stop(grace=5)


def test_a_worker_stops_on_a_burst_of_sigterms(tmp_path: Path) -> None:
    """A worker's SIGTERM handler set its stop event from inside the interrupted wait on that
    event and deadlocked: the worker (an orphan of a killed server) ran on for good."""
    env = {
        **os.environ,
        "VOXCAP_ENGINE": "piper",
        "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}",
        "VOXCAP_QUEUE": str(tmp_path / "jobs.sqlite3"),
        "VOXCAP_LOG_LEVEL": "INFO",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "worker"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert worker.stderr is not None
        for line in worker.stderr:
            if "started" in line:
                break
        deadline = time.monotonic() + 1.0
        while worker.poll() is None and time.monotonic() < deadline:  # a flood of signals:
            with contextlib.suppress(ProcessLookupError):  # some land inside the handler
                os.kill(worker.pid, signal.SIGTERM)
        # it stops (a late signal may land while Python shuts down, after its handler is gone)
        assert worker.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        assert worker.stderr is not None
        worker.stderr.close()


def test_the_stop_flag_takes_no_lock_to_set() -> None:
    """The deterministic form of the flood above. A handler that called ``Event.set()`` hung
    when the signal landed while the main thread held the event's lock; one that started a
    thread to set it hung on ``threading``'s own locks under a flood (caught by this suite).
    SignalStop.set is a plain assignment, and a waiter sees it within its 50 ms slice."""
    from voxcap.jobs.worker import SignalStop

    stop = SignalStop()
    assert not stop.wait(0.1)
    threading.Timer(0.2, stop.set, args=(signal.SIGTERM, None)).start()
    started = time.monotonic()
    assert stop.wait(10) and time.monotonic() - started < 1
    assert "Lock" not in repr(vars(stop))  # nothing to lock: a bool
