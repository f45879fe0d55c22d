"""HTTP/1.1 over a plain socket, for what ordinary clients hide: chunked bodies sent as they
are written, request lines of any length, and answers that arrive before the body is sent."""

import json
import select
import socket
from urllib.parse import urlsplit


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Answer {self.status} {self.body[:300]!r}>"


def _connect(base):
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    return sock, f"{url.hostname}:{url.port}"


def _head(method, target, host, headers):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_answer(sock):
    """The response on `sock` (Content-Length or until close); None when the server closed
    the connection without answering."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            part = sock.recv(65536)
        except ConnectionResetError:
            part = b""
        if not part:
            return None if not data else _parse(data, b"")
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    status, headers = _status_headers(head)
    length = headers.get("content-length")
    while length is None or len(body) < int(length):
        try:
            part = sock.recv(65536)
        except ConnectionResetError:
            break
        if not part:
            break
        body += part
    return Answer(status, headers, body)


def _status_headers(head):
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def _parse(head, body):
    status, headers = _status_headers(head.partition(b"\r\n\r\n")[0])
    return Answer(status, headers, body)


def request(base, method, target, *, headers=(), body=None, chunks=None):
    """One request on a fresh connection. `chunks` (a list of bytes) is sent with
    Transfer-Encoding: chunked and no Content-Length; `body` with a Content-Length."""
    sock, host = _connect(base)
    with sock:
        headers = list(headers)
        if chunks is not None:
            headers.append(("Transfer-Encoding", "chunked"))
        elif body is not None:
            headers.append(("Content-Length", str(len(body))))
        headers.append(("Connection", "close"))
        try:
            sock.sendall(_head(method, target, host, headers))
            if chunks is not None:
                for chunk in chunks:
                    if chunk:
                        sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
            elif body is not None:
                sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed: its answer is waiting to be read
        return read_answer(sock)


def stream_until_answered(base, method, target, *, headers=(), total, chunk_size=64 * 1024):
    """Send a chunked body of `total` bytes, looking for an answer after every chunk; stop
    sending as soon as one arrives. Returns (answer, bytes of body sent)."""
    sock, host = _connect(base)
    chunk = b"x" * chunk_size
    sent = 0
    with sock:
        headers = [*headers, ("Transfer-Encoding", "chunked"), ("Connection", "close")]
        sock.sendall(_head(method, target, host, headers))
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
        return read_answer(sock), sent
