"""The API answers JSON: a request accepting anything (or saying nothing) skips the parsing of
its Accept header (kdesk/api/negotiation.py) and gets what DRF's negotiation would give it;
every other Accept header is negotiated as before."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from kdesk.api.negotiation import JsonNegotiation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_json_whatever_the_client_accepts(api, accept):
    headers = {} if accept is None else {"Accept": accept}
    response = api.get("/v1/users/current", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"]["type"] == "user"


def test_an_accept_header_json_cannot_satisfy_is_still_refused(api):
    response = api.get("/v1/users/current", headers={"Accept": "text/html"})
    assert response.status_code == 406


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_the_shortcut_gives_what_drf_gives(rf, accept):
    from kdesk.api.renderers import JsonApiRenderer

    meta = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = rf.get("/v1/users/current", **meta)
    request = Request(request)
    renderers = [JsonApiRenderer()]
    ours = JsonNegotiation().select_renderer(request, renderers)
    drf = DefaultContentNegotiation().select_renderer(request, renderers)
    assert (ours[0], ours[1]) == (drf[0], drf[1])
