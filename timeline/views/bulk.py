"""Bulk actions on the inbox: the selected conversations (checkboxes, shift-click ranges, `x`)
assigned, given a status or a snooze, or tagged, in one all-or-nothing change."""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kdesk.errors import ValidationFailed
from kdesk.payload import as_id
from timeline import attr_forms, services
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.views.common import announce, errors_by_field, org_of, tz_of

STATUS_LABELS = {"open": "Reopened", "done": "Closed", "snoozed": "Snoozed"}


def bar_context(request, *, errors=None, values=None, tags=None):
    """The bulk bar's choices (people, teams: two queries; the tags unless given)."""
    users, teams = desk.people_choices(org=org_of(request))
    return {
        "bulk_users": users,
        "bulk_teams": teams,
        "bulk_tags": tags if tags is not None else pages.tag_names(org=org_of(request)),
        "bulk_errors": errors or {},
        "bulk_values": values or {},
    }


def _change(request):
    """({data}, [tags to add], {field: [problem]}, summary words) from the bar's fields."""
    post, data, problems, words = request.POST, {}, {}, []
    users, teams = desk.people_choices(org=org_of(request))
    user = post.get("assignedUser", "")
    if user == "none":
        data["assignedUser"] = None
        words.append("unassigned")
    elif user:
        names = dict(users)
        if as_id(user) in names:
            data["assignedUser"] = as_id(user)
            words.append(f"assigned to {names[as_id(user)]}")
        else:
            problems["assignedUser"] = ["Choose someone from the list."]
    team = post.get("assignedTeam", "")
    if team == "none":
        data["assignedTeam"] = None
        words.append("team cleared")
    elif team:
        names = dict(teams)
        if as_id(team) in names:
            data["assignedTeam"] = as_id(team)
            words.append(f"team {names[as_id(team)]}")
        else:
            problems["assignedTeam"] = ["Choose a team from the list."]
    status = post.get("status", "")
    if status in STATUS_LABELS:
        data["status"] = status
        words.append(STATUS_LABELS[status].lower())
        if status == "snoozed":
            raw = post.get("snoozeUntil", "").strip()
            if not raw:
                problems["snoozeUntil"] = ["Say until when: a snooze needs a wake-up time."]
            else:
                data["snoozeUntil"] = attr_forms.parse_input("snoozeAt", raw, {}, tz_of(request))
    elif status:
        problems["status"] = ["Choose a status from the list."]
    tags = [t.strip() for t in post.get("tag", "").split(",") if t.strip()]
    if tags:
        words.append("tagged " + ", ".join(tags))
    if not data and not tags and not problems:
        problems["action"] = ["Choose what to change: an assignee, a team, a status or a tag."]
    return data, tags, problems, words


@login_required
@require_POST
def bulk(request):
    org = org_of(request)
    ids = [i for i in (as_id(v) for v in request.POST.getlist("ids")) if i is not None]
    data, tags, problems, words = _change(request)
    conversations = pages.conversations_by_ids(org=org, ids=ids)
    if not conversations:
        problems.setdefault("action", []).insert(0, "Select at least one conversation.")
    values = {k: request.POST.get(k, "") for k in ("assignedUser", "assignedTeam", "status")}
    values |= {k: request.POST.get(k, "") for k in ("snoozeUntil", "tag")}
    if not problems:
        try:
            services.conversations_bulk_update(
                org=org, actor=request.user, conversations=conversations, data=data, add_tags=tags
            )
        except ValidationFailed as exc:
            fields, other = errors_by_field(exc, org)
            problems = {"action": [d for ds in fields.values() for d in ds] + other}
    if problems:
        context = bar_context(request, errors=problems, values=values)
        return render(request, "timeline/inbox.html#bulk-bar", context, status=422)
    count = len(conversations)
    text = f"{count} conversation{'s' if count != 1 else ''} {', '.join(words)}."
    response = render(request, "timeline/inbox.html#bulk-bar", bar_context(request))
    response.content += announce(text).encode()
    response["HX-Trigger"] = json.dumps({"kdesk-bulk-done": {"text": text}})
    return response
