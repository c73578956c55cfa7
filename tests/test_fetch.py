"""Voice URL fetching: SSRF refusals happen before any connection; size and redirects capped."""

from __future__ import annotations

import http.server
import ipaddress
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from voxcap.errors import TooLarge, UrlFetchFailed, UrlRefused
from voxcap.fetch import FetchPolicy, fetch

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


class Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Handler.hits.append(self.path)
        if self.path.startswith("/drip"):
            self._drip()
            return
        routes = {
            "/clip.wav": (200, {}, b"RIFF-bytes"),
            "/big.wav": (200, {}, b"x" * 5000),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data"}, b""),
            "/to-private": (302, {"Location": "http://10.1.2.3/clip.wav"}, b""),
            "/to-clip": (301, {"Location": "/clip.wav"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        """A byte every 0.2 s for 20 s: of the body (``/drip-body``) or of the headers
        (``/drip-head``); ``/drip-close`` sends ``Connection: close`` with a length, and
        ``/drip-raw`` a close-delimited body (no length, no chunks) after a first part."""
        heads = {
            "/drip-close": b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
            b"Connection: close\r\n\r\n",
            "/drip-raw": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"RIFF" * 100,
        }
        head = heads.get(self.path, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        slow = head if self.path == "/drip-head" else b"x" * 100
        if self.path != "/drip-head":
            self.wfile.write(head)
        try:
            for byte in slow:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up: what the test wants

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_loopback_is_refused_without_a_connection(origin: str) -> None:
    Handler.hits.clear()
    with pytest.raises(UrlRefused, match="not a public address"):
        fetch(f"{origin}/clip.wav", FetchPolicy(1000, 5))
    with pytest.raises(UrlRefused):
        fetch(origin.replace("127.0.0.1", "localhost") + "/clip.wav", FetchPolicy(1000, 5))
    assert Handler.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/clip.wav",
        "http://192.168.1.1/clip.wav",
        "http://[::1]/clip.wav",
        "http://0.0.0.0/clip.wav",
        "ftp://example.com/clip.wav",
        "file:///etc/passwd",
    ],
)
def test_private_and_non_http_targets_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        fetch(url, FetchPolicy(1000, 2))


def test_allowed_network_is_fetched_and_redirects_followed(origin: str) -> None:
    policy = FetchPolicy(1000, 5, LOOPBACK)
    assert fetch(f"{origin}/clip.wav", policy) == (b"RIFF-bytes", "clip.wav")
    assert fetch(f"{origin}/to-clip", policy) == (b"RIFF-bytes", "clip.wav")


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private"])
def test_redirects_to_private_addresses_are_refused(origin: str, path: str) -> None:
    with pytest.raises(UrlRefused):
        fetch(f"{origin}{path}", FetchPolicy(1000, 5, LOOPBACK))


def test_size_redirect_and_status_limits(origin: str) -> None:
    policy = FetchPolicy(1000, 5, LOOPBACK)
    with pytest.raises(TooLarge):
        fetch(f"{origin}/big.wav", policy)
    with pytest.raises(UrlFetchFailed, match="too many redirects"):
        fetch(f"{origin}/loop", policy)
    with pytest.raises(UrlFetchFailed, match="HTTP 404"):
        fetch(f"{origin}/missing?token=secret", policy)


def test_messages_never_echo_query_strings(origin: str) -> None:
    with pytest.raises(UrlFetchFailed) as info:
        fetch(f"{origin}/missing?X-Amz-Signature=secret", FetchPolicy(1000, 5, LOOPBACK))
    assert "secret" not in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/x.wav",
        "http://127.0.0.1:99999/x.wav",
        "http://127.0.0.1:abc/x.wav",
        "http://" + "a" * 64 + ".example.com/x.wav",
    ],
)
def test_malformed_urls_are_refused_not_a_crash(url: str) -> None:
    # the reliability report's repros: each gave HTTP 500 / internal_error
    with pytest.raises(UrlRefused, match="not a valid"):
        fetch(url, FetchPolicy(1000, 2.0, LOOPBACK))


@pytest.mark.parametrize("path", ["/drip-body", "/drip-head", "/drip-close", "/drip-raw"])
def test_one_deadline_covers_the_whole_fetch(origin: str, path: str) -> None:
    """A server that drips a byte at a time (each recv() succeeds) is cut at the deadline
    (reliability report #1: it used to hold the request for as long as it kept dripping; the
    second report: a ``Connection: close`` response still did, and a close-delimited body cut
    short was used as if whole; a deadline during the headers gave an empty body)."""
    started = time.monotonic()
    with pytest.raises(UrlFetchFailed, match=r"took longer than 1\.5 s"):
        fetch(f"{origin}{path}", FetchPolicy(1_000_000, 1.5, LOOPBACK))
    assert time.monotonic() - started < 3
