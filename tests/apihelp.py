"""A live API for the tests: real uvicorn, real queue and store in a temp folder, and a worker
the test drives (so queued jobs stay queued until the test runs them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from voxcap.api.app import create_app
from voxcap.jobs.sqlite import SqliteQueue
from voxcap.jobs.worker import Worker
from voxcap.runtime import Runtime
from voxcap.settings import Settings

from .servers import bound_socket, uvicorn_server

KEY = "test-key-0123456789"


@dataclass
class Api:
    url: str
    settings: Settings
    worker: Worker
    app: Any

    def client(self, key: str | None = KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def drain(self) -> None:
        """Run queued jobs until none is left."""
        while self.worker.run_once():
            pass

    @contextmanager
    def working(self) -> Iterator[None]:
        """A worker thread for the duration of the block."""
        stop = threading.Event()
        thread = threading.Thread(target=self.worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=60)


def settings_for(folder: Path, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "storage": f"file://{folder / 'store'}",
        "queue": folder / "jobs.sqlite3",
        "public_url": f"http://127.0.0.1:{port}",
        "api_keys": [KEY],
        "rate_limit": 100_000,
        "voice_cache_dir": folder / "cache",
        "fetch_allow_networks": ["127.0.0.0/8"],
        "lease": 5.0,
        **overrides,
    }
    return Settings(**values)


@contextmanager
def live_api(folder: Path, runtime: Runtime | None = None, **overrides: Any) -> Iterator[Api]:
    sock = bound_socket()  # held until uvicorn serves on it: no other server can take it
    settings = settings_for(folder, sock.getsockname()[1], **overrides)
    app = create_app(settings)
    if runtime is not None:  # share loaded engines with the session's runtime
        app.state.runtime._engines = runtime._engines
        app.state.runtime._aligners = runtime._aligners
    worker_runtime = Runtime(settings)
    worker_runtime._engines = app.state.runtime._engines
    worker_runtime._aligners = app.state.runtime._aligners
    worker = Worker(worker_runtime, SqliteQueue(settings.queue, settings.max_attempts))
    with uvicorn_server(app, sock) as url:
        yield Api(url, settings, worker, app)
