"""Fetch a voice clip from an http(s) URL without becoming an SSRF proxy.

Every hop (the URL and each redirect) is resolved first; if any address is loopback, private,
link-local, multicast or reserved, the fetch is refused before a connection is made (unless the
address lies in a network that settings allow). The connection then goes to the checked address
itself, so a second DNS answer cannot swap it. Size and time are capped; redirects are few.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import urllib3

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

    Raises:
        UrlRefused: not http(s), or resolves to a refused address.
        UrlFetchFailed: connection error, timeout, non-200 status, too many redirects.
        TooLarge: the body is larger than ``policy.max_bytes``.
    """
    deadline = time.monotonic() + policy.timeout
    for _ in range(MAX_REDIRECTS + 1):
        pool = _pool(url, policy, deadline)
        with pool:
            response = _get(pool, url)
            location = response.headers.get("Location")
            if response.status in {301, 302, 303, 307, 308} and location:
                response.close()
                url = urljoin(url, location)
                continue
            if response.status != 200:
                response.close()
                raise UrlFetchFailed(f"fetching {_safe(url)} gave HTTP {response.status}")
            body = _read(response, url, policy, deadline)
            return body, urlsplit(url).path.rsplit("/", 1)[-1]
    raise UrlFetchFailed(f"too many redirects from {_safe(url)}")


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


def _pool(url: str, policy: FetchPolicy, deadline: float) -> urllib3.HTTPConnectionPool:
    """A connection pool to the URL's host, pinned to its checked address."""
    parts = _parse(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UrlRefused(f"only http(s) URLs can be fetched, not {_safe(url)}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(host, port, policy)
    remaining = max(deadline - time.monotonic(), 0.1)
    timeout = urllib3.Timeout(connect=min(remaining, 10), read=remaining)
    if parts.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            port,
            server_hostname=host,
            assert_hostname=host,
            timeout=timeout,
            retries=False,
        )
    return urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False)


def _get(pool: urllib3.HTTPConnectionPool, url: str) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = f"{parts.hostname}" if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        return pool.urlopen(
            "GET",
            path,
            headers={"Host": netloc, "User-Agent": "voxcap"},
            redirect=False,
            preload_content=False,
        )
    except urllib3.exceptions.HTTPError as exc:
        raise UrlFetchFailed(f"cannot fetch {_safe(url)}: {type(exc).__name__}") from None


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


def _read(
    response: urllib3.BaseHTTPResponse, url: str, policy: FetchPolicy, deadline: float
) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        response.close()
        raise TooLarge(f"{_safe(url)} is {int(length):,} bytes; the limit is {policy.max_bytes:,}")
    chunks, size = [], 0
    try:
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > policy.max_bytes:
                raise TooLarge(f"{_safe(url)} is over the limit of {policy.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise UrlFetchFailed(f"fetching {_safe(url)} took longer than {policy.timeout} s")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise UrlFetchFailed(f"cannot fetch {_safe(url)}: {type(exc).__name__}") from None
    finally:
        response.close()
    return b"".join(chunks)


def _safe(url: str) -> str:
    """The URL without user info or query string (they may carry secrets) for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
