"""The signed-in user's notifications: the list (all or unread, paged) and marking them read."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from kdesk.api.pagination import encode_cursor
from timeline import selectors_desk as desk
from timeline.views.common import decode, is_htmx, org_of

NOTIFICATION_PAGE = 50


@login_required
@require_GET
def notifications(request):
    org = org_of(request)
    show = request.GET.get("show", "all")
    show = show if show in ("all", "unread") else "all"
    raw = request.GET.get("cursor")
    cursor = decode(raw) if raw else None
    rows, next_cursor = conv_selectors.notifications_page(
        org=org,
        user=request.user,
        unread_only=show == "unread",
        cursor=cursor,
        limit=NOTIFICATION_PAGE,
    )
    events = desk.note_event_ids(org=org, note_ids=[r["note_id"] for r in rows if r["note_id"]])
    for row in rows:
        if row["customer_id"]:
            link = f"/customers/{row['customer_id']}/"
            if row["note_id"]:
                link += f"?note={row['note_id']}"
                if row["note_id"] in events:
                    link += f"#entry-{events[row['note_id']]}"
            elif row["conversation_id"]:
                link += f"?conversation={row['conversation_id']}"
            row["link"] = link
    unread = conv_selectors.unread_notification_count(org=org, user=request.user)
    context = {
        "rows": rows,
        "show": show,
        "unread": unread,
        "next_cursor": encode_cursor(next_cursor) if next_cursor else None,
    }
    if is_htmx(request) and raw and request.GET.get("part") == "rows":
        return render(request, "timeline/notifications.html#notification-rows", context)
    if is_htmx(request) and request.GET.get("part") == "list":
        return render(request, "timeline/notifications.html#notification-list", context)
    return render(request, "timeline/notifications.html", context)


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id")
    # The user's other tabs learn the new count from the notification.read event this records
    # (pushed after commit, timeline.live.publish); this tab from the response header.
    count = conv_services.notifications_mark_read(
        org=org_of(request), user=request.user, ids=ids if ids else None
    )
    if request.POST.get("next", "").startswith("/customers/"):
        return redirect(request.POST["next"])
    if is_htmx(request):
        response = notifications(_as_get(request))
        unread = conv_selectors.unread_notification_count(org=org_of(request), user=request.user)
        response["HX-Trigger"] = json.dumps({"kdesk-unread": {"count": unread}})
        return response
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("/notifications/")


def _as_get(request):
    request.method = "GET"
    request.GET = request.GET.copy()
    request.GET["part"] = "list"
    return request
