"""API benchmark, on either queue backend: submit latency at 50 concurrent clients, job-status
poll throughput, and narration jobs per second with 1 and 2 Piper workers.

    python bench/api.py [--backend sqlite|redis] [--jobs 1000] [--concurrency 50]
                        [--rate 200] [--seconds 10] [--work-jobs 40] [--scrapers 12]
                        [--burst-only]

First, with 300 kept jobs of 3,600 words in the queue, 100 submits at once while 12 anonymous
clients scrape ``/metrics`` back to back (the reliability report's case, where a scrape walked
every kept job: target p99 <= 250 ms).

Submit latency is measured two ways, both with 50 clients (connections) at once:

- *paced*: the clients together offer ``--rate`` submits per second (a busy API: 200/s is
  17 million jobs a day); p50/p99 of each submit's round trip. This is the latency a client
  sees, and the acceptance target (p99 <= 50 ms).
- *flat out*: each client submits again as soon as its previous submit returns: the most
  submits per second the API takes; latency then is just concurrency over throughput.

``voxcap serve --workers 0`` runs in one process and the clients in another; for Redis the
benchmark starts its own redis-server (Debian's) on a free port. Jobs per second: ``voxcap
worker`` processes (1, then 2) run short Piper narrations, timed from the first submit to the
last job done, after a warm-up job each (the model loads once per worker). On a CPU, one Piper job
already runs on every core (ONNX Runtime's thread pool): a second worker there adds no compute,
so the ratio says what the queue costs, not what a second GPU host gives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
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
HEADERS = {"Authorization": f"Bearer {KEY}"}
JOB = {"engine": "piper", "audio_format": "wav", "captions": ["json"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def queue_url(backend: str, folder: Path) -> Iterator[str]:
    """VOXCAP_QUEUE for ``backend``; for Redis, a redis-server of its own for the run."""
    if backend == "sqlite":
        yield f"{folder}/jobs.sqlite3"
        return
    exe = shutil.which("redis-server")
    assert exe, "the Redis benchmark needs redis-server (apt-get install redis-server)"
    port = free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
            "--appendonly", "yes", "--save", ""]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def environment(folder: Path, queue: str) -> dict[str, str]:
    return {
        **os.environ,
        "VOXCAP_ENGINE": "piper",
        "VOXCAP_STORAGE": f"file://{folder}/store",
        "VOXCAP_QUEUE": queue,
        "VOXCAP_API_KEYS": f'["{KEY}"]',
        "VOXCAP_RATE_LIMIT": "100000000",
        "VOXCAP_LOG_LEVEL": "WARNING",
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SERVERS: dict[str, int] = {}  # url -> pid of the server process


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """``voxcap serve`` in its own process with no workers (an API replica)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "serve", "--port", str(port), "--workers", "0"],
        env={**env, "VOXCAP_PUBLIC_URL": f"http://127.0.0.1:{port}"},
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
        SERVERS[url] = process.pid
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def client(url: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=60, headers=HEADERS)


async def flat_out(url: str, jobs: int, concurrency: int) -> tuple[list[float], float]:
    """Each of ``concurrency`` clients submits back to back; (latencies, wall seconds)."""
    latencies: list[float] = []
    async with client(url, concurrency) as http:
        left = iter(range(jobs))

        async def one_client() -> None:
            for i in left:
                started = time.perf_counter()
                response = await http.post("/v1/speech", json={**JOB, "text": f"Job {i}."})
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


async def paced(url: str, rate: float, seconds: float, concurrency: int) -> list[float]:
    """``concurrency`` clients offering ``rate`` submits a second between them."""
    latencies: list[float] = []
    interval = concurrency / rate  # each client's gap between submits
    async with client(url, concurrency) as http:
        await http.get("/healthz")

        async def one_client(k: int) -> None:
            start = time.perf_counter() + k * interval / concurrency  # spread the clients
            n = 0
            while (due := start + n * interval) < start + seconds:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                began = time.perf_counter()
                response = await http.post("/v1/speech", json={**JOB, "text": f"Paced {k}."})
                latencies.append(time.perf_counter() - began)
                assert response.status_code == 202, response.text
                n += 1

        await asyncio.gather(*(one_client(k) for k in range(concurrency)))
    return latencies


def seed(env: dict[str, str], count: int, words: int) -> None:
    """``count`` succeeded jobs kept in the queue, each with a result of ``words`` words (the
    reliability report's 300 jobs of some 3,600 words: what a scrape used to walk)."""
    from voxcap.jobs import open_queue
    from voxcap.settings import Settings

    queue = open_queue(Settings(queue=env["VOXCAP_QUEUE"]))
    result = {
        "words": [
            {"text": f"word{i}", "start": i * 0.3, "end": i * 0.3 + 0.25} for i in range(words)
        ],
        "timings": {"synthesize": 1.0, "align": 0.1},
        "duration": words * 0.3,
    }
    for _ in range(count):
        job = queue.submit({**JOB, "text": "Seeded."})
        queue.start(job.id, "seeder", 30)
        queue.complete(job.id, "seeder", result)


class Raw:
    """One keep-alive HTTP/1.1 connection spoken over plain asyncio streams: a client that
    costs almost no CPU, so a burst on a 2-core machine measures the server, not httpx."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Raw:
        host, port = url.removeprefix("http://").split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def request(self, raw: bytes) -> int:
        """Send a whole request; read the whole response; its status."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def _request(method: str, path: str, body: bytes = b"", key: bool = True) -> bytes:
    headers = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if key:
        headers += f"Authorization: Bearer {KEY}\r\n"
    if body:
        headers += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (headers + "\r\n").encode() + body


SCRAPER = """
import sys, threading, httpx
url, count = sys.argv[1], int(sys.argv[2])
def scrape():
    with httpx.Client(base_url=url, timeout=60) as client:
        while True:
            assert client.get("/metrics").status_code == 200
for _ in range(count):
    threading.Thread(target=scrape, daemon=True).start()
sys.stdin.read()  # until the benchmark closes it
"""


async def burst(url: str, submits: int, scrapers: int) -> list[float]:
    """``submits`` submits all at once (on connections opened before) while ``scrapers``
    anonymous clients scrape /metrics back to back, as the reliability report's probe does
    (threads of httpx clients, in a process of their own); the submits' latencies."""
    latencies: list[float] = []
    connections = [await Raw.open(url) for _ in range(submits)]
    for raw in connections:  # each connection warmed up (accepted, first request served)
        assert await raw.request(_request("GET", "/healthz")) == 200
    scraping = subprocess.Popen(
        [sys.executable, "-c", SCRAPER, url, str(scrapers)], stdin=subprocess.PIPE
    )
    await asyncio.sleep(2.0)  # the scrapers at full speed first

    async def one(i: int, raw: Raw) -> None:
        body = json.dumps({**JOB, "text": f"Burst {i}."}).encode()
        began = time.perf_counter()
        status = await raw.request(_request("POST", "/v1/speech", body))
        latencies.append(time.perf_counter() - began)
        assert status == 202, status

    await asyncio.gather(*(one(i, raw) for i, raw in enumerate(connections)))
    scraping.terminate()
    scraping.wait()
    for raw in connections:
        raw.close()
    return latencies


async def poll(url: str, ids: list[str], concurrency: int, seconds: float) -> int:
    done = 0
    deadline = time.perf_counter() + seconds
    async with client(url, concurrency) as http:

        async def loop(k: int) -> None:
            nonlocal done
            i = k
            while time.perf_counter() < deadline:
                response = await http.get(f"/v1/jobs/{ids[i % len(ids)]}")
                assert response.status_code == 200
                done += 1
                i += concurrency

        await asyncio.gather(*(loop(k) for k in range(concurrency)))
    return done


def throughput(env: dict[str, str], folder: Path, workers: int, jobs: int) -> float:
    """Narration jobs per second with ``workers`` Piper workers (after a warm-up job each)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "voxcap", "worker"],
            env={**env, "VOXCAP_VOICE_CACHE_DIR": f"{folder}/cache{w}"},
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for w in range(workers)
    ]
    try:
        with server(env) as url, httpx.Client(base_url=url, headers=HEADERS, timeout=60) as http:

            def run(count: int, label: str) -> float:
                text = (
                    "The harbour was quiet at dawn. Two small boats came in with the tide, and "
                    "the gulls followed them home. By noon the market was full of voices, and "
                    "the smell of bread drifted down to the water."
                )
                started = time.perf_counter()
                ids = [http.post("/v1/speech", json={**JOB, "text": f"{label} {i}. {text}"})
                       .json()["id"] for i in range(count)]  # fmt: skip
                for job_id in ids:
                    while (status := http.get(f"/v1/jobs/{job_id}").json()["status"]) in (
                        "queued",
                        "running",
                    ):
                        time.sleep(0.05)
                    assert status == "succeeded", http.get(f"/v1/jobs/{job_id}").json()
                return time.perf_counter() - started

            run(workers * 2, "Warm-up")
            return jobs / run(jobs, "Job")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=120)


def percentiles(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, round(0.99 * len(ms)))]
    return f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--work-jobs", type=int, default=40)
    parser.add_argument("--scrapers", type=int, default=12)
    parser.add_argument("--burst-only", action="store_true", help="Only the burst with scrapers.")
    args = parser.parse_args()
    out = sys.stdout
    out.write(
        f"machine: {os.cpu_count()} cores; backend {args.backend}; `voxcap serve --workers 0` "
        "(one uvicorn process), clients in another process\n"
    )
    with tempfile.TemporaryDirectory() as tmp, queue_url(args.backend, Path(tmp)) as queue:
        env = environment(Path(tmp), queue)
        seed(env, 300, 3600)
        with server(env) as url:
            latencies = asyncio.run(burst(url, 100, args.scrapers))
            out.write(
                f"submit, 100 at once with {args.scrapers} anonymous /metrics scrapers and 300 "
                f"kept jobs of 3,600 words: {percentiles(latencies)} (target p99 <= 250 ms)\n"
            )
        if args.burst_only:
            return
        with server(env) as url:
            asyncio.run(flat_out(url, 200, args.concurrency))  # warm-up: connections, imports
            latencies = asyncio.run(paced(url, args.rate, args.seconds, args.concurrency))
            out.write(
                f"submit, paced: {args.concurrency} clients offering {args.rate:.0f}/s for "
                f"{args.seconds:.0f} s ({len(latencies)} jobs): {percentiles(latencies)}\n"
            )
            used, mine = cpu_seconds(SERVERS[url]), cpu_seconds(os.getpid())
            latencies, wall = asyncio.run(flat_out(url, args.jobs, args.concurrency))
            used, mine = cpu_seconds(SERVERS[url]) - used, cpu_seconds(os.getpid()) - mine
            out.write(
                f"submit, flat out: {args.jobs} jobs, {args.concurrency} clients: "
                f"{percentiles(latencies)}, {args.jobs / wall:.0f} jobs/s accepted; CPU per "
                f"submit: the API {1000 * used / args.jobs:.2f} ms, the clients "
                f"{1000 * mine / args.jobs:.2f} ms (on the same cores)\n"
            )
            ids = _ids(url)
            polls = asyncio.run(poll(url, ids, args.concurrency, args.seconds))
            out.write(f"status polls: {polls / args.seconds:.0f} requests/s\n")
    rates = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, queue_url(args.backend, Path(tmp)) as queue:
            rate = throughput(environment(Path(tmp), queue), Path(tmp), workers, args.work_jobs)
        rates.append(rate)
        out.write(f"piper jobs: {workers} worker(s): {rate:.2f} jobs/s\n")
    out.write(f"2 workers / 1 worker: {rates[1] / rates[0]:.2f}x\n")


def _ids(url: str) -> list[str]:
    with httpx.Client(base_url=url, headers=HEADERS) as http:
        return [j["id"] for j in http.get("/v1/jobs?limit=200").json()["jobs"]]


if __name__ == "__main__":
    main()
