"""The one outbound HTTP client: every request kdesk makes to a URL an org gave it goes here.

SSRF guard: the host is resolved at every request (not only when the URL was saved), every
address it resolves to must be public, and the connection goes to the address that was checked
(so a DNS answer that changes between check and connect cannot slip a private address in).
Redirects are not followed unless asked, and each hop is checked the same way. Loopback,
private, link-local, CGNAT, cloud metadata and other non-global addresses are refused unless
`OUTBOUND_ALLOW_PRIVATE` is on (local development and tests).
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from kdesk.addresses import address_problem

MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "kdesk-webhooks/1"


class Refused(Exception):
    """The URL may not be called: a message fit for the admin who entered it."""


def resolve(host, port):
    """Every address `host` resolves to (tests replace this to play DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _allow_private():
    return settings.OUTBOUND_ALLOW_PRIVATE


def check_url(url, *, allow_private=None):
    """Raise Refused unless `url` is an http(s) URL whose host resolves only to callable
    addresses; return (scheme, host, port, addresses)."""
    allow = _allow_private() if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("The URL is malformed.") from None
    if parts.scheme not in ("https", "http"):
        raise Refused("The URL must start with https://.")
    host = parts.hostname
    if not host:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("The URL may not carry a user name or password.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise Refused(f"The host {host} does not resolve.") from None
    if not addresses:
        raise Refused(f"The host {host} does not resolve.")
    if not allow:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise Refused(
                    f"The host {host} resolves to {address}, {problem}; kdesk only calls public "
                    "addresses."
                )
    return parts.scheme, host, port, addresses


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    duration_ms: int
    url: str
    redirects: list = field(default_factory=list)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(method, url, *, body=b"", headers=None, timeout=None, follow_redirects=0):
    """Send one request through the guard. Raises Refused for a forbidden target, OSError /
    http.client.HTTPException / TimeoutError for network failures. `timeout` bounds the whole
    exchange, not each read."""
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    started = time.monotonic()
    deadline = started + timeout
    hops = []
    while True:
        scheme, host, port, addresses = check_url(url)
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        remaining = max(0.05, deadline - time.monotonic())
        conn = cls(host, port, addresses[0], remaining)
        try:
            send_headers = {"User-Agent": USER_AGENT, **(headers or {})}
            conn.request(method, target, body=body, headers=send_headers)
            raw = conn.getresponse()
            data = _read_limited(raw, deadline)
            status, response_headers = raw.status, dict(raw.getheaders())
        finally:
            conn.close()
        duration = int((time.monotonic() - started) * 1000)
        location = response_headers.get("Location") or response_headers.get("location")
        if 300 <= status < 400 and location and len(hops) < follow_redirects:
            hops.append(url)
            url = urljoin(url, location)
            if status in (301, 302, 303):
                method, body = ("GET" if method != "HEAD" else "HEAD"), b""
            continue
        return Response(status, response_headers, data, duration, url, hops)


def _read_limited(raw, deadline):
    chunks, size = [], 0
    while size < MAX_RESPONSE_BYTES:
        if time.monotonic() > deadline:
            raise TimeoutError("The receiver took too long to answer.")
        chunk = raw.read1(min(16384, MAX_RESPONSE_BYTES - size)) if hasattr(raw, "read1") else b""
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
