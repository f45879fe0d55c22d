"""The inbox: conversations by status and scope, sorted, filtered by tag, paged by cursor."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from conversations import selectors as conv_selectors
from kdesk.api.pagination import encode_cursor
from kdesk.errors import ValidationFailed
from kdesk.payload import as_id
from timeline import live, selectors_views
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.views.bulk import bar_context as bulk_bar_context
from timeline.views.common import decode, is_htmx, org_of

INBOX_PAGE = 40
STATUSES = ("open", "snoozed", "done")
SCOPES = (("mine", "Assigned to me"), ("teams", "My teams"), ("all", "All"))
PRIORITIES = ((5, "Urgent"), (4, "High"), (3, "Normal"), (2, "Low"), (1, "Lowest"))
SORTS = (("activity", "Newest activity"), ("priority", "Priority"))


def view_of(raw):
    """(status, scope) of the inbox view a conversation was opened from ("open.mine")."""
    status, _, scope = (raw or "").partition(".")
    return (
        status if status in STATUSES else "open",
        scope if scope in dict(SCOPES) else "all",
    )


def view_token(raw):
    """The inbox view a conversation was opened from, as the desk passes it along: a saved
    view ("saved.12") or a status view ("open.mine"); anything else is the open inbox."""
    kind, _, rest = (raw or "").partition(".")
    if kind == "saved" and as_id(rest) is not None:
        return f"saved.{as_id(rest)}"
    return "{}.{}".format(*view_of(raw))


def view_query(request, raw):
    """(token, conversations_for_inbox filters, inbox address) of the view named by `raw`. A
    saved view the person can no longer see falls back to the open inbox."""
    kind, _, rest = view_token(raw).partition(".")
    if kind == "saved":
        org = org_of(request)
        saved = selectors_views.view_get(org=org, user=request.user, pk=as_id(rest))
        if saved is not None:
            try:
                within = selectors_views.view_ids(org=org, user=request.user, view=saved)
            except ValidationFailed:
                within = selectors_views.nothing()
            filters = {"status": saved.filters.get("status", ""), "scope": "all", "within": within}
            return f"saved.{saved.pk}", filters, f"/inbox/?view={saved.pk}"
        kind, rest = "open", "all"
    return (
        f"{kind}.{rest}",
        {"status": kind, "scope": rest},
        f"/inbox/?status={kind}&scope={rest}",
    )


def _inbox_rows(
    request, status, scope, cursor, sort="activity", tag=None, palette=None, within=None
):
    rows, next_cursor = conv_selectors.conversations_for_inbox(
        org=org_of(request),
        user=request.user,
        status=status,
        scope=scope,
        cursor=cursor,
        limit=INBOX_PAGE,
        sort=sort,
        tag=tag,
        within=within,
    )
    labels = dict(PRIORITIES)
    for row in rows:
        row["priority_label"] = labels.get(row["priority"], "")
        row["tag_chips"] = desk.tag_chips(row["tags"], palette or {})
    names = desk.user_names(org=org_of(request), ids={r["assigned_user_id"] for r in rows})
    for row in rows:
        row["assignee"] = names.get(row["assigned_user_id"], "")
    return rows, (encode_cursor(next_cursor) if next_cursor else None)


@login_required
@require_GET
def inbox(request):
    status = request.GET.get("status", "open")
    status = status if status in STATUSES else "open"
    scope = request.GET.get("scope", "all")
    scope = scope if scope in dict(SCOPES) else "all"
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in dict(SORTS) else "activity"
    raw = request.GET.get("cursor")
    cursor = decode(raw) if raw else None
    if raw and not (isinstance(cursor, list) and len(cursor) in (2, 3)):
        cursor = None
    # Read before the rows: an event committed in between is then replayed, not lost.
    live_last = live.last_event_id(org_of(request).pk)
    tag = request.GET.get("tag", "").strip()[:100] or None
    palette = desk.tag_palette(org=org_of(request))
    saved = selectors_views.view_get(
        org=org_of(request), user=request.user, pk=as_id(request.GET.get("view"))
    )
    within = None
    if saved is not None:  # a saved view: its own filters replace status, scope and tag
        status, scope, tag = saved.filters.get("status", ""), "all", None
        try:
            within = selectors_views.view_ids(org=org_of(request), user=request.user, view=saved)
        except ValidationFailed:
            saved_error = "This view names an attribute or Klass that no longer exists: edit it."
            within = selectors_views.nothing()
        else:
            saved_error = ""
    rows, next_cursor = _inbox_rows(request, status, scope, cursor, sort, tag, palette, within)
    tag_names = pages.tag_names(org=org_of(request))
    context = {
        "saved": saved,
        "current_view": saved.pk if saved is not None else None,
        "saved_error": saved_error if saved is not None else "",
        "view_query": f"&view={saved.pk}" if saved is not None else "",
        "view_token": f"saved.{saved.pk}" if saved is not None else f"{status}.{scope}",
        "tag": tag or "",
        "tag_list": desk.tag_chips(tag_names, palette),
        "sort": sort,
        "sorts": SORTS,
        "live_last": live_last,
        "rows": rows,
        "next_cursor": next_cursor,
        "status": status,
        "scope": scope,
        "statuses": STATUSES,
        "scopes": SCOPES,
    }
    if is_htmx(request) and request.GET.get("part") == "rows":
        return render(request, "timeline/inbox.html#inbox-rows", context)
    if is_htmx(request) and request.GET.get("part") == "list":
        return render(request, "timeline/inbox.html#inbox-list", context)
    context |= bulk_bar_context(request, tags=tag_names)
    return render(request, "timeline/inbox.html", context)
