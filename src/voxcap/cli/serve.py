"""``voxcap serve`` (the HTTP API, optionally with workers) and ``voxcap worker``."""

from __future__ import annotations

import signal
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from voxcap.cli.app import err, guarded, log, runtime
from voxcap.errors import InvalidInput, VoxcapError

if TYPE_CHECKING:
    from voxcap.runtime import Runtime
    from voxcap.settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free one, logged).")] = 8000,
    workers: Annotated[int, typer.Option(min=0, help="Job workers to start beside the API.")] = 1,
) -> None:
    """Serve the HTTP API (docs/API.md); with --workers N, also run N job workers, restarted
    if they die. SIGTERM or Ctrl-C stops it: workers finish their running job first."""

    def run() -> None:
        from voxcap._deps import require

        uvicorn = require("uvicorn", extra="server")
        require("fastapi", extra="server")
        rt = runtime()  # fail on bad settings before anything starts
        sock = _bind(host, port)  # held from here: nobody else can take the port
        served = f"http://{_display_host(host)}:{sock.getsockname()[1]}"
        if "public_url" not in rt.settings.model_fields_set:
            rt = runtime(public_url=served)  # signed URLs name this server (workers too)
        if rt.settings.allowed_hosts is None:  # a loopback server is no DNS-rebinding target
            rt = runtime(
                public_url=rt.settings.public_url, allowed_hosts=_default_hosts(host, rt.settings)
            )
        from voxcap.api.app import create_app, server_config
        from voxcap.jobs.supervisor import Supervisor
        from voxcap.settings import child_environment

        app = create_app(rt.settings)  # an unusable queue or store fails here, in one line
        _warn_missing_weights(rt)
        supervisor = Supervisor(workers, env=child_environment(rt.settings, "public_url"))
        app.state.supervisor = supervisor
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        supervisor.start()
        # what the user started it for, not a warning (newuser #21); on stderr with the logs
        err.print(f"voxcap serving on {served} with {workers} worker(s)", highlight=False)
        try:
            uvicorn.Server(server_config(app)).run(sockets=[sock])
        finally:
            supervisor.stop(grace=rt.settings.lease)

    guarded(run)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def _default_hosts(host: str, settings: Settings) -> list[str]:
    """The names a server listening on ``host`` answers to by default: on loopback, the
    loopback names and the public URL's host; elsewhere any name."""
    from urllib.parse import urlsplit

    from voxcap.api.guards import LOOPBACK

    if host not in {*LOOPBACK, "[::1]"}:
        return ["*"]
    public = urlsplit(settings.public_url or "").hostname
    return [*LOOPBACK, *([public] if public else [])]


def _display_host(host: str) -> str:
    """The host part of the served address: a wildcard shows as loopback."""
    if host in {"0.0.0.0", ""}:
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _warn_missing_weights(rt: Runtime) -> None:
    try:
        rt.engine().check()
    except VoxcapError as exc:
        log.warning(
            "jobs for the default engine %r will fail until this is fixed (/readyz says 503): %s",
            rt.engine_name(),
            exc.message,
        )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: uvicorn shuts down gracefully and re-raises it once done, and then
    this ends the process through the ``finally`` that stops the workers."""
    raise SystemExit(0)


def worker() -> None:
    """Run one job worker on the queue (VOXCAP_QUEUE: SQLite, or Redis through Celery) until
    SIGTERM or Ctrl-C; the running job finishes first."""

    def run() -> None:
        from voxcap.jobs import open_queue
        from voxcap.jobs.redis import RedisQueue
        from voxcap.jobs.worker import SignalStop, Worker

        rt = runtime()
        queue = open_queue(rt.settings)
        if isinstance(queue, RedisQueue):  # Celery delivers the jobs (its own signal handling)
            from voxcap.jobs.distributed import run_worker

            queue.probe()  # an unreachable Redis is one clear line, not a retry loop
            run_worker(queue.celery, rt, queue)
            return
        stop = SignalStop()  # set by the handlers without taking any lock
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, stop.set)
        Worker(rt, queue).run(stop)
        log.info("worker stopped")

    guarded(run)
