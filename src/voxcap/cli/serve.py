"""``voxcap serve`` (the HTTP API, optionally with workers) and ``voxcap worker``."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import Annotated

import typer

from voxcap.cli.app import guarded, log, runtime


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=0, help="Job workers to start beside the API.")] = 1,
) -> None:
    """Serve the HTTP API (docs/API.md); with --workers N, also run N job workers."""

    def run() -> None:
        from voxcap._deps import require

        uvicorn = require("uvicorn", extra="server")
        require("fastapi", extra="server")
        runtime()  # fail on bad settings before anything starts
        children = [
            subprocess.Popen([sys.executable, "-m", "voxcap", "worker"]) for _ in range(workers)
        ]
        try:
            uvicorn.run("voxcap.api.app:create_app", factory=True, host=host, port=port)
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()

    guarded(run)


def worker() -> None:
    """Run one job worker on the queue (VOXCAP_QUEUE) until SIGTERM or Ctrl-C."""

    def run() -> None:
        from voxcap.jobs.sqlite import SqliteQueue
        from voxcap.jobs.worker import Worker

        rt = runtime()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        queue = SqliteQueue(rt.settings.queue, rt.settings.max_attempts)
        Worker(rt, queue).run(stop)
        log.info("worker stopped")

    guarded(run)
