"""Mentions in notes: `@handle` in the body or the API's userMentions, resolved to users and teams
and the people to notify."""

import re

from django.db.models import Q

from kdesk.errors import FieldError
from kdesk.models import Team, User
from kdesk.payload import as_id

# `@handle` not preceded by a word character, '@' or '.', so emails never mention anyone.
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")


def parse_mentions(*, org, body, explicit=(), author=None):
    """Resolve mentions: ([users], [teams], [recipient ids], errors); see _resolve_mentions."""
    return _resolve_mentions(org=org, body=body, explicit=explicit, author=author)[:4]


def _resolve_mentions(*, org, body, explicit=(), author=None):
    """([users], [teams], [recipient ids], errors, {recipient id: team slug} for those reached
    only through a team).

    `explicit` is the API's userMentions list ([{user: id} | {team: id}]); `@handle` in the
    body matches the org's usernames and team slugs at word boundaries. Recipients are the
    mentioned users plus the members of mentioned teams, each once, never the author.
    """
    errors = []
    user_ids, team_ids = [], []
    for i, item in enumerate(explicit or ()):
        if not isinstance(item, dict) or len(item) != 1 or not ({"user", "team"} & set(item)):
            errors.append(
                FieldError(
                    f"/userMentions/{i}", "invalid", 'A mention is {"user": id} or {"team": id}.'
                )
            )
            continue
        key = "user" if "user" in item else "team"
        value = item[key]
        if isinstance(value, dict):
            value = value.get("id")
        if as_id(value) is None:
            errors.append(
                FieldError(f"/userMentions/{i}/{key}", "invalid", f"{key} must be an id.")
            )
            continue
        (user_ids if key == "user" else team_ids).append((int(value), i))

    handles = set()
    for match in MENTION_RE.finditer(body or ""):
        handle = match.group(1).lower()
        handles.add(handle)
        handles.add(handle.rstrip("._-"))
    handles.discard("")

    wanted_users = {pk for pk, _ in user_ids}
    users = {}
    if wanted_users or handles:
        qs = User.objects.filter(org=org, is_active=True).filter(
            Q(pk__in=wanted_users) | Q(username__in=handles)
        )
        for u in qs:
            users[u.pk] = u
    wanted_teams = {pk for pk, _ in team_ids}
    teams = {}
    if wanted_teams or handles:
        for t in Team.objects.filter(org=org).filter(Q(pk__in=wanted_teams) | Q(slug__in=handles)):
            teams[t.pk] = t
    for pk, i in user_ids:
        if pk not in users:
            errors.append(
                FieldError(f"/userMentions/{i}/user", "not_found", f"No user with id {pk}.")
            )
    for pk, i in team_ids:
        if pk not in teams:
            errors.append(
                FieldError(f"/userMentions/{i}/team", "not_found", f"No team with id {pk}.")
            )

    by_username = {u.username.lower(): u for u in users.values()}
    by_slug = {t.slug.lower(): t for t in teams.values()}
    mentioned_users, mentioned_teams = [], []

    def add(seq, item):
        if item is not None and item not in seq:
            seq.append(item)

    for pk, _ in user_ids:
        add(mentioned_users, users.get(pk))
    for pk, _ in team_ids:
        add(mentioned_teams, teams.get(pk))
    for match in MENTION_RE.finditer(body or ""):
        handle = match.group(1).lower()
        for h in (handle, handle.rstrip("._-")):
            if h in by_username:
                add(mentioned_users, by_username[h])
                break
            if h in by_slug:
                add(mentioned_teams, by_slug[h])
                break

    recipients = [u.pk for u in mentioned_users if not u.is_machine]
    via_team = {}
    if mentioned_teams:
        slugs = {t.pk: t.slug for t in mentioned_teams}
        members = (
            Team.members.through.objects.filter(
                team_id__in=list(slugs),
                user__is_active=True,
                user__is_machine=False,
            )
            .order_by("team_id", "user_id")
            .values_list("team_id", "user_id")
        )
        for team_id, user_id in members:
            recipients.append(user_id)
            via_team.setdefault(user_id, slugs[team_id])
    author_id = getattr(author, "pk", None)
    recipients = [pk for pk in dict.fromkeys(recipients) if pk != author_id]
    return mentioned_users, mentioned_teams, recipients, errors, via_team
