"""Fetch a voice clip from an http(s) URL without becoming an SSRF proxy.

Every hop (the URL and each redirect) is resolved first; if any address is loopback, private,
link-local, multicast or reserved, the fetch is refused before a connection is made (unless the
address lies in a network that settings allow). The connection then goes to the checked address
itself, so a second DNS answer cannot swap it. Size is capped, time by one deadline for the
whole fetch (a watchdog closes the socket), and redirects are few.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import urllib3
import urllib3.connection

from voxcap.errors import TooLarge, UrlFetchFailed, UrlRefused

MAX_REDIRECTS = 3
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    max_bytes: int
    timeout: float
    allow_networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, max_bytes: int, timeout: float, allow: list[str]) -> FetchPolicy:
        return cls(max_bytes, timeout, tuple(ipaddress.ip_network(n) for n in allow))


def fetch(url: str, policy: FetchPolicy) -> tuple[bytes, str]:
    """The body at ``url`` and the file name from its path.

    ``policy.timeout`` is one deadline for the whole fetch (every hop's connect, headers and
    body): a watchdog shuts the socket down when it passes, so a server that drips a byte at a
    time cannot hold the request.

    Raises:
        UrlRefused: not http(s), malformed, or resolves to a refused address.
        UrlFetchFailed: connection error, deadline passed, non-200 status, too many redirects.
        TooLarge: the body is larger than ``policy.max_bytes``.
    """
    deadline = time.monotonic() + policy.timeout
    for _ in range(MAX_REDIRECTS + 1):
        connection = _connection(url, policy, deadline)
        response: urllib3.BaseHTTPResponse | None = None
        with _Watchdog(connection, deadline) as watchdog:
            try:
                response = _get(connection, url, watchdog)
                location = response.headers.get("Location")
                if response.status in {301, 302, 303, 307, 308} and location:
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise UrlFetchFailed(f"fetching {display_url(url)} gave HTTP {response.status}")
                body = _read(response, url, policy)
                if watchdog.fired:  # a close-delimited body cut by the watchdog looks whole
                    raise _late(url, policy)
                return body, urlsplit(url).path.rsplit("/", 1)[-1]
            except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
                if watchdog.fired:
                    raise _late(url, policy) from None
                raise UrlFetchFailed(
                    f"cannot fetch {display_url(url)}: {type(exc).__name__}"
                ) from None
            finally:
                if response is not None:
                    response.close()
                connection.close()
    raise UrlFetchFailed(f"too many redirects from {display_url(url)}")


def _late(url: str, policy: FetchPolicy) -> UrlFetchFailed:
    return UrlFetchFailed(f"fetching {display_url(url)} took longer than {policy.timeout:g} s")


class _Watchdog:
    """Shuts the connection's socket down at ``deadline``, ending any blocked connect or read.

    The socket is held here once connected: for a ``Connection: close`` response http.client
    drops the connection's reference (the response keeps reading from the socket), so
    ``connection.sock`` alone would leave nothing to shut.
    """

    def __init__(self, connection: urllib3.connection.HTTPConnection, deadline: float) -> None:
        self.connection = connection
        self.fired = False
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True

    def hold(self, sock: socket.socket | None) -> None:
        """Keep ``sock`` (the connected socket) to shut down when the deadline passes."""
        self._sock = sock
        if self.fired:
            self._fire()

    def _fire(self) -> None:
        self.fired = True
        for sock in (self.connection.sock, self._sock):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _parse(url: str) -> SplitResult:
    """The parts of ``url``. Raises UrlRefused for a malformed one (a broken IPv6 literal, a
    port out of range or not a number, a host name IDNA cannot encode)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # validates it
        if parts.hostname:
            parts.hostname.encode("idna")
    except (ValueError, UnicodeError):
        shown = url.split("?", 1)[0].rsplit("@", 1)[-1][:200]
        raise UrlRefused(f"not a valid URL: {shown!r}") from None
    return parts


def _connection(
    url: str, policy: FetchPolicy, deadline: float
) -> urllib3.connection.HTTPConnection:
    """A connection to the URL's host, pinned to its checked address (not yet connected)."""
    parts = _parse(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UrlRefused(f"only http(s) URLs can be fetched, not {display_url(url)}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(host, port, policy)
    timeout = max(deadline - time.monotonic(), 0.1)
    if parts.scheme == "https":
        return urllib3.connection.HTTPSConnection(
            str(address), port, timeout=timeout, server_hostname=host, assert_hostname=host
        )
    return urllib3.connection.HTTPConnection(str(address), port, timeout=timeout)


def _get(
    connection: urllib3.connection.HTTPConnection, url: str, watchdog: _Watchdog
) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = f"{parts.hostname}" if parts.port is None else f"{parts.hostname}:{parts.port}"
    connection.request(
        "GET", path, headers={"Host": netloc, "User-Agent": "voxcap"}, preload_content=False
    )
    watchdog.hold(connection.sock)
    return connection.getresponse()


def _checked_address(host: str, port: int, policy: FetchPolicy) -> IPAddress:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UrlFetchFailed(f"cannot resolve host {host!r}") from None
    except UnicodeError:
        raise UrlRefused(f"not a valid host name: {host[:100]!r}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        allowed = any(address in net for net in policy.allow_networks)
        if not address.is_global and not allowed:
            raise UrlRefused(f"refusing to fetch from {host} ({address}): not a public address")
    return addresses[0]


def _read(response: urllib3.BaseHTTPResponse, url: str, policy: FetchPolicy) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise TooLarge(
            f"{display_url(url)} is {int(length):,} bytes; the limit is {policy.max_bytes:,}"
        )
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > policy.max_bytes:
            raise TooLarge(f"{display_url(url)} is over the limit of {policy.max_bytes:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def display_url(url: str) -> str:
    """The URL without user info or query string (they may carry secrets) for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
