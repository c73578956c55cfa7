"""API benchmark: submit latency (p50/p99) at concurrency 50 and job-status poll throughput,
against a real uvicorn with the SQLite queue (Piper engine configured; jobs stay queued, so this
measures the API and the queue, not synthesis).

    python bench/api.py [--jobs 500] [--concurrency 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

KEY = "bench-key"


@contextmanager
def server(folder: Path) -> Iterator[str]:
    """``voxcap serve`` in its own process (no workers: jobs stay queued)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "VOXCAP_STORAGE": f"file://{folder}/store",
        "VOXCAP_QUEUE": f"{folder}/jobs.sqlite3",
        "VOXCAP_API_KEYS": f'["{KEY}"]',
        "VOXCAP_RATE_LIMIT": "1000000",
        "VOXCAP_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "serve", "--port", str(port), "--workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def submit(url: str, jobs: int, concurrency: int) -> tuple[list[float], list[str]]:
    limits = httpx.Limits(max_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    ids: list[str] = []
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=60, headers={"Authorization": f"Bearer {KEY}"}
    ) as client:

        async def one(i: int) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post("/v1/speech", json={"text": f"Job {i}."})
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text
                ids.append(response.json()["id"])

        await asyncio.gather(*[one(i) for i in range(jobs)])
    return latencies, ids


async def poll(url: str, ids: list[str], concurrency: int, seconds: float) -> int:
    done = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(
        base_url=url,
        timeout=60,
        limits=httpx.Limits(max_connections=concurrency),
        headers={"Authorization": f"Bearer {KEY}"},
    ) as client:

        async def loop(k: int) -> None:
            nonlocal done
            i = k
            while time.perf_counter() < deadline:
                response = await client.get(f"/v1/jobs/{ids[i % len(ids)]}")
                assert response.status_code == 200
                done += 1
                i += concurrency

        await asyncio.gather(*[loop(k) for k in range(concurrency)])
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, server(Path(folder)) as url:
        latencies, ids = asyncio.run(submit(url, args.jobs, args.concurrency))
        polls = asyncio.run(poll(url, ids, args.concurrency, args.seconds))
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, round(0.99 * len(ms)))]
    sys.stdout.write(
        f"machine: {os.cpu_count()} cores; `voxcap serve` (1 uvicorn process), "
        "client in another; SQLite WAL queue\n"
        f"submit: {args.jobs} jobs at concurrency {args.concurrency}: "
        f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, "
        f"{args.jobs / (sum(latencies) / args.concurrency):.0f} jobs/s\n"
        f"status polls: {polls / args.seconds:.0f} requests/s over {args.seconds:.0f} s "
        f"at concurrency {args.concurrency}\n"
    )


if __name__ == "__main__":
    main()
