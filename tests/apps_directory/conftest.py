import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """A real HTTP server on a loopback port recording every request it gets.

    `answers` is consumed one status per request (then 200); a status of None makes it hang
    until `release` is set (a receiver that never answers)."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                    )
                    status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.arrived.set()
                if status is None:
                    receiver.release.wait(30)
                    status = 200
                location = None
                if isinstance(status, tuple):  # (3xx, Location)
                    status, location = status
                payload = b'{"ok":true}' if status < 400 else b"receiver says no " * 300
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        # the default listen backlog (5) drops the SYNs of parallel senders: 1 s stalls
        ThreadingHTTPServer.request_queue_size = 128
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self):
        import json

        return [json.loads(r["body"]) for r in self.requests]

    def wait_for(self, count, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.02)
        return False

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def allow_private(settings):
    """The loopback receiver is a private address: allowed for this test only."""
    settings.OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]  # four attempts, no waiting


@pytest.fixture
def hook_on(api, receiver, allow_private):
    """Create a webhook on the loopback receiver through the API; returns (id, token)."""

    def make(events=("kustomer.customer.create", "kustomer.customer.update"), **extra):
        r = api.post(
            "/v1/outbound-webhooks",
            {"name": "Shop", "url": receiver.url, "events": list(events), **extra},
        )
        assert r.status_code == 201, r.json()
        data = r.json()["data"]
        return data["id"], data["attributes"]["token"]

    return make


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (the workflow runs it queues) as a committed request would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def install(api):
    """Install an app through the API; returns the installation resource."""

    def make(app="orders", **extra):
        r = api.post("/v1/apps/installations", {"app": app, **extra})
        assert r.status_code == 201, r.json()
        return r.json()["data"]

    return make


@pytest.fixture
def test_catalog(tmp_path):
    """Replace the shipped catalog with manifests written by the test (restored after)."""
    from apps_directory.catalog import manifest

    shipped = manifest.catalog.apps

    def use(files):
        for relative, text in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        manifest.catalog.use(manifest.load(tmp_path))

    yield use
    manifest.catalog.use(shipped)
