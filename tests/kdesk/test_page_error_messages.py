"""Desk pages' error answers carry their message for background requests (X-Kdesk-Message,
kdesk/page_messages.py): htmx does not swap them in, and static/js/kdesk.js toasts the words."""

from urllib.parse import unquote

import psycopg
import pytest
from django.core.exceptions import PermissionDenied
from django.db import DataError, OperationalError

from kdesk import views
from kdesk.page_messages import HEADER

pytestmark = pytest.mark.django_db


def _said(response):
    return unquote(response[HEADER])


def test_a_missing_page_says_it_is_no_longer_here(agent, client):
    client.force_login(agent)
    response = client.get("/customers/999999999/", HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert "no longer here" in _said(response)


def test_a_refusal_says_what_it_was_raised_with(rf):
    response = views.permission_denied(rf.get("/settings/"), PermissionDenied("Only admins — ça"))
    assert response.status_code == 403
    assert _said(response) == "Only admins — ça"
    assert _said(views.permission_denied(rf.get("/settings/"))) == "You may not do this."


@pytest.mark.parametrize(
    ("failure", "status", "words"),
    [
        (RuntimeError("bug"), 500, "Something went wrong on our side"),
        (OperationalError("connection refused"), 503, "cannot reach its database"),
        (OperationalError("database is locked"), 503, "Someone else was saving"),
    ],
)
def test_server_failures_say_nothing_was_saved(rf, failure, status, words):
    request = rf.post("/customers/1/reply/")
    try:
        raise failure
    except Exception:  # noqa: BLE001 - the handler reads the exception being handled
        response = views.server_error(request)
    assert response.status_code == status
    assert words in _said(response)
    assert "nothing was" in _said(response)


def test_a_deadlock_is_a_collision_not_an_outage(rf):
    failure = OperationalError("deadlock detected")
    failure.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    try:
        raise failure
    except OperationalError:
        response = views.server_error(rf.post("/settings/webhooks/1/"))
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert "Someone else was saving" in _said(response)


def test_a_value_the_database_refused_says_so(rf):
    from kdesk.middleware import NulInputMiddleware

    request = rf.post("/customers/1/")
    response = NulInputMiddleware(lambda r: None).process_exception(
        request, DataError("value out of range")
    )
    assert response.status_code == 400
    assert "could not be used" in _said(response)


def test_the_standalone_error_pages_render_without_the_database(rf, django_assert_num_queries):
    """The 500 and collision pages are drawn when the database may be what failed."""
    request = rf.get("/inbox/")
    with django_assert_num_queries(0):
        try:
            raise RuntimeError("bug")
        except RuntimeError:
            page = views.server_error(request).content.decode()
    assert "<title>Something went wrong · kdesk</title>" in page
    assert "Something went wrong on our side" in page and "/static/css/kdesk.css" in page
