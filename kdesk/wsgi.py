"""WSGI entry point: production HTTP through gunicorn. Websockets (`/ws/`) stay on daphne
(`kdesk.asgi`); every view is synchronous, so plain WSGI serves HTTP without the ASGI hops."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kdesk.settings")

application = get_wsgi_application()
