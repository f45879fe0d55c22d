"""What every desk view shares: the signed-in user's organization and time zone, the customer
of the URL, error wording, the attribute definitions (read once per request), and the small
out-of-band fragments a write's response carries."""

from django.http import Http404
from django.utils.html import format_html

from kdesk.api.pagination import decode_cursor
from kdesk.errors import ValidationFailed
from timeline import fragments, wording
from timeline import selectors_pages as pages


def org_of(request):
    return request.user.org


def tz_of(request):
    return getattr(request.user, "time_zone", "") or "UTC"


def customer_or_404(request, pk):
    customer = pages.customer_get(org=org_of(request), pk=pk)
    if customer is None:
        raise Http404
    return customer


def properties(request, resource):
    """The attribute definitions of "customer" or "conversation": both are read in one query
    the first time a request asks, and kept on the request for the rest of it (a page renders
    the conversation form and the insights panel; a save validates, then renders)."""
    cached = getattr(request, "_kdesk_properties", None)
    if cached is None:
        cached = pages.attribute_properties(org=org_of(request))
        request._kdesk_properties = cached
    return cached[resource]


def decode(raw):
    try:
        return decode_cursor(raw)
    except ValidationFailed:
        return None


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def errors_by_field(exc, org=None):
    """({field key: [detail]}, [details without a field]) from a ValidationFailed (or any
    error of a save), the details worded with display names (timeline.wording)."""
    labels = wording.labels_for(org=org) if org is not None else {}
    fields, other = {}, []
    for error in getattr(exc, "errors", []) or []:
        pointer = (error.pointer or "").strip("/")
        detail = wording.humanize(error.detail, labels)
        if pointer:
            key = pointer.replace("/", ".")
            fields.setdefault(key, []).append(detail)
        else:
            other.append(detail)
    if not fields and not other:
        other.append(wording.humanize(str(exc), labels))
    return fields, other


def messages_of(exc, org):
    """Every message of a failed save, in one list (display names)."""
    fields, other = errors_by_field(exc, org)
    return [d for details in fields.values() for d in details] + other


def oob_entry(event):
    if event is None:
        return ""
    row_html = fragments.render_entry(event, live=True)
    return f'<ol hidden hx-swap-oob="afterbegin:#timeline-entries">{row_html}</ol>'


def announce(text):
    """The screen-reader announcement of a write's result (escaped: it may hold names)."""
    return format_html(
        '<div id="desk-announce" hx-swap-oob="true" class="sr-only" aria-live="polite">{}</div>',
        text,
    )
