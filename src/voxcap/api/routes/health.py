"""``/healthz`` (alive), ``/readyz`` (engine, store and queue usable), ``/metrics``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from voxcap.api.deps import PoolsDep, QueueDep, RuntimeDep
from voxcap.errors import NotReady, VoxcapError
from voxcap.jobs.base import JobQueue
from voxcap.jobs.records import JobStatus
from voxcap.jobs.worker import SEEN_WITHIN

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(
    request: Request, rt: RuntimeDep, queue: QueueDep, pools: PoolsDep
) -> dict[str, Any]:
    """Ready when the engine's weights are there, the store answers, the queue can be written
    and (under ``voxcap serve --workers N``) at least one worker is running."""
    supervisor = getattr(request.app.state, "supervisor", None)

    def check() -> None:
        rt.engine().check()  # its weights are there (workers load them)
        rt.store.exists("outputs/readyz/probe")
        queue.probe()

    try:
        await pools.io.run(check)
    except VoxcapError as exc:
        raise NotReady(f"not ready: {exc.message}") from None
    ready: dict[str, Any] = {"status": "ready"}
    if supervisor is not None and supervisor.slots:
        alive = supervisor.alive()
        if alive == 0:
            raise NotReady(f"not ready: none of the {len(supervisor.slots)} workers is running")
        ready["workers"] = alive
    return ready


METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRICS_TTL = 10.0  # seconds a scrape's answer is reused: scrapers cannot multiply the work


@router.get("/metrics")
async def metrics(request: Request, queue: QueueDep, pools: PoolsDep) -> Response:
    """Prometheus metrics, computed at most once per ``METRICS_TTL`` per API process however
    many scrape (they read every kept job's timings; reliability report #3)."""
    from prometheus_client import CollectorRegistry, generate_latest

    state = request.app.state
    if not hasattr(state, "metrics"):
        state.metrics = _Scrape(asyncio.Lock())
    scrape: _Scrape = state.metrics
    async with scrape.lock:  # concurrent scrapes wait for the one computation
        if time.monotonic() - scrape.at > METRICS_TTL:
            registry = CollectorRegistry()
            registry.register(_Collector(queue))  # type: ignore[arg-type]
            scrape.body = await pools.io.run(generate_latest, registry)
            scrape.at = time.monotonic()
    return Response(scrape.body, media_type=METRICS_TYPE)


class FreshMetrics:
    """A pure ASGI layer that answers ``GET /metrics`` from the last scrape while it is fresh
    (``METRICS_TTL``), before routing: a scrape then costs little more than reading its
    request, so scrapers calling it back to back take little from the submits beside them.
    A stale or missing answer goes on to the route, which computes it."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scrape: _Scrape | None = getattr(self.state, "metrics", None)
        if (
            scrape is not None
            and scope["type"] == "http"
            and scope["path"] == "/metrics"
            and scope["method"] == "GET"
            and time.monotonic() - scrape.at <= METRICS_TTL
        ):
            length = str(len(scrape.body)).encode()
            headers = [(b"content-type", METRICS_TYPE.encode()), (b"content-length", length)]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": scrape.body})
            return
        await self.app(scope, receive, send)


@dataclass(slots=True)
class _Scrape:
    lock: asyncio.Lock
    body: bytes = b""
    at: float = float("-inf")


class _Collector:
    """Job counts, queue depth, stage durations and real-time factor, read from the queue."""

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue

    def collect(self) -> Iterator[object]:
        from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

        counts = self.queue.counts()
        jobs = GaugeMetricFamily("voxcap_jobs", "Jobs kept, by status.", labels=["status"])
        for status, n in counts.items():
            jobs.add_metric([status.value], n)
        yield jobs
        yield GaugeMetricFamily(
            "voxcap_queue_depth", "Jobs waiting for a worker.", value=counts[JobStatus.queued]
        )
        yield GaugeMetricFamily(
            "voxcap_workers",
            f"Workers that told the queue they were alive in the last {SEEN_WITHIN:.0f} s.",
            value=self.queue.workers(SEEN_WITHIN),
        )
        totals = self.queue.totals()  # running totals: the same cost however many jobs
        stages = SummaryMetricFamily(
            "voxcap_stage_seconds", "Wall time per pipeline stage.", labels=["stage"]
        )
        for stage, (seconds, count) in sorted(totals.items()):
            if stage != "duration":
                stages.add_metric([stage], count, seconds)
        yield stages
        audio = totals.get("duration", (0.0, 0))[0]
        wall = sum(seconds for stage, (seconds, _) in totals.items() if stage != "duration")
        yield GaugeMetricFamily(
            "voxcap_realtime_factor",
            "Wall time over audio time of every succeeded job.",
            value=wall / audio if audio else 0.0,
        )
