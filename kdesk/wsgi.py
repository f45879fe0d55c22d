"""WSGI entry point: production HTTP through gunicorn. Websockets (`/ws/`) stay on daphne
(`kdesk.asgi`); every view is synchronous, so plain WSGI serves HTTP without the ASGI hops.

Run it with kdesk's worker classes (kdesk/serving/gunicorn_workers.py) so that over-long request
lines get a 414 in the API's error shape too.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kdesk.settings")

django_application = get_wsgi_application()

from kdesk.serving import guard, warm  # noqa: E402  (needs the settings configured above)

# The URLconf and every view, loaded now rather than by each process's first requests: under
# gunicorn with preload_app (deploy/gunicorn.conf.py), once in the master for every worker.
warm.load()


def application(environ, start_response):
    """Django, behind the refusals decided from the request head (kdesk/serving/guard.py).

    A chunked body reaches Django unread: WSGIRequest sees no CONTENT_LENGTH and reads nothing,
    and the API reads `wsgi.input` itself, to its end and within API_MAX_BODY_BYTES, once the
    request is authenticated (kdesk/api/body.py); gunicorn marks such input terminated."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    raw_length = environ.get("CONTENT_LENGTH")
    refusal = guard.refusal_for(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        path=environ.get("PATH_INFO", ""),
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        content_length=guard.parse_content_length(raw_length) if raw_length else None,
        chunked=not raw_length and guard.is_chunked(headers.get("transfer-encoding")),
    )
    if refusal is None:
        return django_application(environ, start_response)
    body = refusal.body()
    start_response(f"{refusal.status} {guard.REASONS[refusal.status]}", refusal.header_list(body))
    return [body]
