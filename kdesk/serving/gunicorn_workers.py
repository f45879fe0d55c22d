"""gunicorn worker classes with kdesk's answers to what gunicorn refuses before the application
runs: `gunicorn -k kdesk.serving.gunicorn_workers.ThreadWorker kdesk.wsgi:application`.

- Request lines are read up to gunicorn's ceiling (8,190 bytes; the default `limit_request_line`
  is 4,094); a longer one gets a 414 in API.md's error shape instead of gunicorn's plain 400.
- A kept-alive connection whose request body the application did not read (it refused the
  request from its head: no credentials, too large) is closed instead of being drained: gunicorn
  would otherwise read and discard the rest of a 1 GiB body before the next request.
"""

from gunicorn.http.body import ChunkedReader, LengthReader
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker as BaseThreadWorker
from gunicorn.workers.sync import SyncWorker as BaseSyncWorker

from kdesk.serving import guard


class _Answers414:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 0 is gunicorn's ceiling (8,190 bytes), above guard.MAX_QUERY_STRING: the application
        # answers the query strings between the two itself, so both servers refuse alike.
        self.cfg.set("limit_request_line", 0)

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("request line too long from %s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(guard.uri_too_long().http_bytes())
        except OSError:
            self.log.debug("failed to send the 414")


def _body_left(req):
    reader = getattr(req.body, "reader", None)
    if isinstance(reader, ChunkedReader):
        return reader.parser is not None
    if isinstance(reader, LengthReader):
        return reader.length > 0
    return False


class ThreadWorker(_Answers414, BaseThreadWorker):
    def handle_request(self, req, conn):
        keepalive = super().handle_request(req, conn)
        return keepalive and not _body_left(req)


class SyncWorker(_Answers414, BaseSyncWorker):
    """No keep-alive: the connection closes after each response, unread body and all."""
