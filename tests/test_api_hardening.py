"""The outside review's HTTP findings, each reproduced against a real uvicorn (reliability
report #5, #9, #10, #11, #12, #14, #15, #16, #17 and its observations)."""

from __future__ import annotations

import http.server
import logging
import resource
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from voxcap.logs import RedactFilter, configure, redact
from voxcap.runtime import Runtime

from .apihelp import KEY, Api, live_api
from .conftest import CLIP_SERVER_HITS
from .servers import S3Server, run_voxcap

OTHER_KEY = "second-key-abcdefghij"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("hardening")
    with live_api(
        folder, runtime, api_keys=[KEY, OTHER_KEY], max_body_bytes=600_000, auth_failure_limit=5
    ) as live:
        yield live


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


def test_a_non_ascii_signature_is_refused_not_a_crash(api: Api) -> None:
    url = f"{api.url}/files/outputs/x/speech.wav?expires=1&filename=a&signature=%C3%A9"
    assert error_of(httpx.get(url), 403) == "signature_invalid"


def test_wrong_keys_are_rate_limited_per_address(api: Api) -> None:
    with api.client(key="guess-0") as guesser:
        codes = [guesser.get("/v1/voices").status_code for _ in range(8)]
    assert codes[:5] == [403] * 5 and set(codes[5:]) == {429}
    with api.client(key="guess-1") as guesser:
        response = guesser.get("/v1/voices")
    assert error_of(response, 429) == "rate_limited" and int(response.headers["Retry-After"]) > 0
    # reliability report #6: the right key from the same address is not locked out
    with api.client() as client:
        assert client.get("/v1/voices").status_code == 200
    # and X-Forwarded-For from loopback does not choose the address (no trusted proxies)
    with api.client(key="guess-2") as guesser:
        spoofed = guesser.get("/v1/voices", headers={"X-Forwarded-For": "10.0.0.9"})
    assert error_of(spoofed, 429) == "rate_limited"
    api.app.state.auth_failures._buckets.clear()


def test_cross_site_writes_and_foreign_hosts_are_refused(tmp_path: Path, clip_wav: bytes) -> None:
    """Reliability report #5: on the default open API a cross-site multipart post added a
    voice, a text/plain body was parsed as JSON, and any Host was answered (DNS rebinding)."""
    with live_api(tmp_path, api_keys=[], allowed_hosts=["127.0.0.1", "localhost"]) as open_api:
        with open_api.client(None) as client:
            forged = client.post(
                "/v1/voices",
                headers={"Origin": "https://evil.example"},
                data={"name": "pwn", "transcript": "x"},
                files={"audio": ("a.wav", clip_wav)},
            )
            assert error_of(forged, 403) == "origin_refused"
            plain = client.post(
                "/v1/voices",
                headers={"Content-Type": "text/plain"},
                content=b'{"name": "p", "audio_url": "https://example.com/a.wav"}',
            )
            assert error_of(plain, 422) == "invalid_request"
            rebound = client.get("/v1/jobs", headers={"Host": "evil.example"})
            assert error_of(rebound, 421) == "host_refused"
            # the page itself (same origin) and reading from anywhere still work
            own = client.post(
                "/v1/voices",
                headers={"Origin": open_api.url},
                data={"name": "mine", "transcript": "x"},
                files={"audio": ("a.wav", clip_wav)},
            )
            assert own.status_code == 201, own.text
            assert client.get("/v1/voices", headers={"Origin": "https://evil.example"}).is_success
            assert client.get("/healthz", headers={"Host": "localhost:1"}).is_success


def test_a_chunked_body_over_the_limit_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"a" * 10_000
        yield b'"}'

    with api.client() as client:
        for path in ("/v1/speech", "/v1/audio/speech", "/v1/voices"):
            response = client.post(
                path, content=chunks(), headers={"Content-Type": "application/json"}
            )
            assert error_of(response, 413) == "body_too_large", path


def test_voice_url_credentials_are_not_kept(api: Api, clip_server: str) -> None:
    url = clip_server.replace("http://", "http://bob:S3CRETPW@") + "/x.wav?X-Amz-Signature=Q"
    with api.client() as client:
        added = client.post("/v1/voices", json={"name": "cred", "audio_url": url})
        assert added.status_code == 201, added.text
        listed = client.get("/v1/voices").text
        client.delete("/v1/voices/cred")
    assert added.json()["source"] == f"{clip_server}/x.wav"
    assert "S3CRETPW" not in listed and "bob" not in listed


def test_a_taken_voice_name_is_refused_before_downloading(api: Api, clip_server: str) -> None:
    with api.client() as client:
        assert (
            client.post("/v1/voices", json={"name": "taken", "audio_url": clip_server}).status_code
            == 201
        )
        hits = len(CLIP_SERVER_HITS)
        again = client.post("/v1/voices", json={"name": "taken", "audio_url": clip_server})
        client.delete("/v1/voices/taken")
    assert error_of(again, 409) == "voice_exists" and len(CLIP_SERVER_HITS) == hits


def test_voice_requests_that_are_not_what_the_docs_say(api: Api, clip_wav: bytes) -> None:
    with api.client() as client:
        garbage = client.post(
            "/v1/voices",
            data={"name": "junk"},
            files={"audio": ("a.wav", clip_wav), "transcript_file": ("t.srt", b"\x00garbage\n")},
        )
        assert (
            error_of(garbage, 422) == "invalid_input"
            and "t.srt" in garbage.json()["error"]["message"]
        )
        broken = client.post(
            "/v1/voices", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )
        assert error_of(broken, 422) == "invalid_request"
        form = client.post("/v1/voices", data={"name": "x"})
        assert error_of(form, 422) == "invalid_request"
        assert "multipart/form-data" in form.json()["error"]["message"]


def test_a_decompression_bomb_is_a_clean_413(api: Api, tmp_path: Path) -> None:
    """Reliability report HIGH #2 through the API: a 27 kB 8-channel 10-minute FLAC is refused
    with audio_too_long, and the server's memory does not grow by the decoded size."""
    from .test_audio import _bomb

    bomb = _bomb(tmp_path, 8, 600).read_bytes()
    with api.client() as client:
        refused = client.post(
            "/v1/voices",
            data={"name": "bomb", "transcript": "x"},
            files={"audio": ("b.flac", bomb)},
        )
        assert error_of(refused, 413) == "audio_too_long"
        assert "120 s" in refused.json()["error"]["message"]
        assert client.get("/healthz").status_code == 200


def test_voices_belong_to_the_key_that_added_them(api: Api, clip_wav: bytes) -> None:
    with api.client() as owner, api.client(key=OTHER_KEY) as other:
        added = owner.post(
            "/v1/voices", data={"name": "private"}, files={"audio": ("a.wav", clip_wav)}
        )
        assert added.status_code == 201 and added.json()["shared"] is False
        assert "private" not in [v["name"] for v in other.get("/v1/voices").json()]
        assert error_of(other.get("/v1/voices/private"), 400) == "voice_not_found"
        assert error_of(other.delete("/v1/voices/private"), 400) == "voice_not_found"
        job = other.post("/v1/speech", json={"text": "Hi.", "voice": "private"})
        assert error_of(job, 400) == "voice_not_found"
        assert owner.get("/v1/voices/private").status_code == 200
        assert owner.delete("/v1/voices/private").status_code == 204


def test_server_paths_as_voices_are_refused_at_submit(api: Api) -> None:
    with api.client() as client:
        for voice in ("../../etc/passwd", "/etc/passwd", "_0123456789abcdef/kim"):
            response = client.post("/v1/speech", json={"text": "Hi.", "voice": voice})
            assert error_of(response, 400) == "voice_not_found", voice
            assert "/work" not in response.text and "file://" not in response.text


def test_a_full_queue_is_503_and_not_ready_then_recovers(tmp_path: Path, runtime: Runtime) -> None:
    """The report filled a 1 MB tmpfs; here the queue's files may not grow (RLIMIT_FSIZE,
    which SQLite sees as a full disk). Python ignores SIGXFSZ, so writes just fail."""
    with live_api(tmp_path, runtime) as live, live.client() as client:
        assert client.post("/v1/speech", json={"text": "Fits."}).status_code == 202
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        sizes = [p.stat().st_size for p in tmp_path.glob("jobs.sqlite3*")]
        resource.setrlimit(resource.RLIMIT_FSIZE, (max(sizes), hard))
        try:
            codes = set()
            for i in range(40):
                response = client.post("/v1/speech", json={"text": f"Job {i} " + "x" * 3000})
                codes.add(response.status_code)
                if response.status_code == 503:
                    assert error_of(response, 503) == "queue_unavailable"
                    break
            assert 503 in codes, codes
            ready = client.get("/readyz")
            assert (
                error_of(ready, 503) == "not_ready" and "queue" in ready.json()["error"]["message"]
            )
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/speech", json={"text": "Space again."}).status_code == 202


def test_serve_with_an_unusable_queue_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = run_voxcap(
        "serve",
        "--port",
        "0",
        "--workers",
        "0",
        env={
            "VOXCAP_QUEUE": str(tmp_path / "a-file" / "jobs.sqlite3"),
            "VOXCAP_STORAGE": f"file://{tmp_path / 's'}",
        },
    )
    assert result.returncode == 1
    assert "error (queue_unavailable): the job queue cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_never_carry_signatures_or_session_tokens(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    result = run_voxcap(
        "doctor",
        env={
            **s3_server.env(s3_bucket, "logs", tmp_path),
            "AWS_SESSION_TOKEN": "SESSIONTOKENFAKE999",
            "VOXCAP_LOG_LEVEL": "DEBUG",
        },
    )
    assert "DEBUG voxcap.doctor: probing the store" in result.stderr  # DEBUG is on
    assert "SESSIONTOKENFAKE999" not in result.stderr + result.stdout
    assert "voxcap-test-secret-key" not in result.stderr + result.stdout


def test_access_log_lines_are_redacted() -> None:
    configure("WARNING")
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactFilter) for f in access.filters)
    record = access.makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5",
            "GET",
            "/files/outputs/j/a.wav?expires=1&filename=a&signature=abc123",
            "1.1",
            200,
        ),
        None,
    )
    for f in access.filters:
        f.filter(record)
    assert "abc123" not in record.getMessage() and "signature=REDACTED" in record.getMessage()
    # uvicorn's own formatter unpacks the arguments (reliability report #4: a flattened record
    # made every signed download log a 60-100 line traceback instead of its access line)
    from uvicorn.logging import AccessFormatter

    line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s').format(record)
    path = "/files/outputs/j/a.wav?expires=1&filename=a&signature=REDACTED"
    assert line == f'127.0.0.1:5 "GET {path} HTTP/1.1" 200 OK'
    assert "X-Amz-Signature=REDACTED" in redact("https://b.s3/k?X-Amz-Signature=deadbeef&x=1")


def test_an_unexpected_error_keeps_the_json_shape(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.app.state.queue, "submit", broken)
    with api.client() as client:
        response = client.post("/v1/speech", json={"text": "Hello."})
    assert error_of(response, 500) == "internal_error"


@contextmanager
def blocking_origin(release: threading.Event) -> Iterator[str]:
    """A loopback origin whose every GET hangs until ``release`` is set."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(60)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_slow_work_of_one_kind_cannot_stall_job_submits(
    tmp_path: Path, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reliability report #2: 8 slow voice fetches made a job submit take 87 s, and 20 inline
    syntheses 46 s. Each kind now has its own bounded pool and says 503 when it is full."""
    release = threading.Event()

    def stuck(*args: object) -> None:
        release.wait(60)
        raise RuntimeError("released")

    monkeypatch.setattr("voxcap.api.streams.stream", stuck)  # inline synthesis hangs
    limits = {"synthesis_threads": 1, "voice_threads": 1, "io_threads": 2}
    with (
        live_api(tmp_path, runtime, **limits) as live,
        blocking_origin(release) as origin,
        ThreadPoolExecutor(16) as background,
    ):
        speech = {"model": "tts-1", "input": "Hello there.", "voice": "alloy"}
        voice = {"name": "slow", "audio_url": f"{origin}/a.wav"}

        def post(path: str, body: dict[str, str]) -> httpx.Response:
            with live.client() as client:
                return client.post(path, json=body)

        held = [background.submit(post, "/v1/audio/speech", speech) for _ in range(5)]
        held += [background.submit(post, "/v1/voices", voice) for _ in range(5)]
        time.sleep(1.5)  # all ten are now running or waiting in their pools
        with live.client() as client:
            started = time.monotonic()
            submitted = client.post("/v1/speech", json={"text": "Not stuck."})
            took = time.monotonic() - started
            busy_speech = client.post("/v1/audio/speech", json=speech)
            busy_voice = client.post("/v1/voices", json=voice)
        release.set()
        finished = [f.result(timeout=60).status_code for f in held]
    assert submitted.status_code == 202 and took < 2, took
    for busy in (busy_speech, busy_voice):
        assert error_of(busy, 503) == "server_busy" and int(busy.headers["Retry-After"]) >= 1
    assert 503 not in finished  # the five of each kind that fitted were served


def test_scrapers_cannot_multiply_the_metrics_work(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reliability report #3: every anonymous scrape decoded every kept job's result; 12
    scrapers took submit p50 from 3 ms to 4.7 s. A scrape is now computed once per 10 s."""
    queue = api.app.state.queue
    calls: list[float] = []
    real = queue.totals

    def counted() -> dict[str, tuple[float, int]]:
        calls.append(time.monotonic())
        time.sleep(0.3)  # a slow queue
        return real()

    monkeypatch.setattr(queue, "totals", counted)
    api.app.state.__dict__.pop("metrics", None)  # a fresh cache
    with ThreadPoolExecutor(12) as pool:
        bodies = list(pool.map(lambda _: httpx.get(f"{api.url}/metrics"), range(24)))
    assert all(b.status_code == 200 and "voxcap_jobs" in b.text for b in bodies)
    assert len(calls) == 1, calls


def test_a_job_without_a_key_owner_is_no_keys_job(api: Api) -> None:
    """Reliability report #10: a job made while the API was open (owner ``ip:…``) or with no
    owner was readable and cancellable by every key once keys were on."""
    queue = api.app.state.queue
    for owner in ("ip:10.9.9.9", None):
        job = queue.submit({"text": "made while open"}, owner)
        with api.client() as client:
            assert error_of(client.get(f"/v1/jobs/{job.id}"), 404) == "job_not_found"
            assert error_of(client.delete(f"/v1/jobs/{job.id}"), 404) == "job_not_found"
        queue.cancel(job.id)  # not left for the module's other tests to run


def test_the_work_a_text_asks_for_is_bounded(api: Api) -> None:
    """Reliability report #11: 5,001 characters of digits made 33 minutes of audio; the limit
    counted characters, not work. The spoken length is estimated before any synthesis."""
    with api.client() as client:
        refused = client.post("/v1/speech", json={"text": "7" * 15_000})
        assert error_of(refused, 413) == "speech_too_long"
        assert "minutes to say" in refused.json()["error"]["message"]
        slow = client.post("/v1/speech", json={"text": "Hello there. " * 1400, "speed": 0.25})
        assert error_of(slow, 413) == "speech_too_long"  # a quarter speed is four times longer


def test_the_openai_endpoint_takes_the_named_engines_voice(tmp_path: Path) -> None:
    """newuser.md #6: with F5 the default engine, ``model: piper, voice: joe`` was
    voice_not_found (the default engine's presets were looked in)."""
    with live_api(tmp_path, engine="f5", api_keys=[]) as f5_default, f5_default.client(None) as c:
        response = c.post(
            "/v1/audio/speech",
            json={"model": "piper", "voice": "joe", "input": "Hello!", "response_format": "wav"},
        )
        assert response.status_code == 200, response.text
        assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
