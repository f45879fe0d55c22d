"""Writes for the core: organizations, people, teams and API keys."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from kdesk import scopes as scope_names
from kdesk.api.auth import TOKEN_PREFIX, forget_key, hash_token
from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.events import diff, emit
from kdesk.models import ApiKey, Organization, Team, User
from kdesk.payload import Payload, as_id
from kdesk.representations import team_resource
from kdesk.unique import conflict_on_duplicate
from kdesk.updates import lock_for_write, model_changes, model_update

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_SLUG_SOURCE = re.compile(r"[A-Za-z0-9]")


def organization_get_or_create(*, slug, name=None):
    org, created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.replace("-", " ").title()}
    )
    return org, created


def _unique_username(org, base):
    base = re.sub(r"[^a-z0-9_.-]", "", base.lower())[:56] or "user"
    candidate, n = base, 1
    while User.objects.filter(org=org, username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def user_create_or_update(
    *, org, email, password=None, role="agent", display_name=None, username=None, actor=None
):
    errors = []
    email = (email or "").strip().lower()
    if "@" not in email:
        errors.append(FieldError("/email", "invalid", "Enter a valid email address."))
    if role not in User.Role.values:
        errors.append(FieldError("/role", "invalid", "Role must be admin or agent."))
    if username is not None and not USERNAME_RE.match(username):
        errors.append(
            FieldError(
                "/username",
                "invalid",
                "A username is lowercase letters, digits, '.', '_' or '-' (at most 64).",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    user = User.objects.filter(email=email).first()
    if user is not None and user.org_id != org.id:
        raise ValidationFailed(
            [FieldError("/email", "taken", "This email belongs to a person in another org.")]
        )
    created = user is None
    if created:
        user = User(org=org, email=email)
        user.username = username or _unique_username(org, email.split("@")[0])
    elif username:
        user.username = username
    if User.objects.filter(org=org, username=user.username).exclude(pk=user.pk).exists():
        raise ValidationFailed(
            [FieldError("/username", "taken", f"The username {user.username} is taken.")]
        )
    user.display_name = display_name or user.display_name or email.split("@")[0].title()
    user.role = role
    user.is_staff = role == User.Role.ADMIN
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    # a concurrent write of the same email or username: the loser is told, not a 500
    with conflict_on_duplicate("/email", f"{email} or the username {user.username} is taken."):
        user.save()
    emit(
        org=org,
        type="user.create" if created else "user.update",
        resource="user",
        resource_id=user.pk,
        actor=actor,
        data={"email": user.email, "role": user.role, "displayName": user.display_name},
    )
    return user, created


def _user_updated(org, actor, user, changes):
    emit(
        org=org,
        type="user.update",
        resource="user",
        resource_id=user.pk,
        actor=actor,
        data={"email": user.email, "role": user.role, "displayName": user.display_name},
        changes=changes,
    )


def _locked_person(org, user):
    """A person (never a machine user) of `org`, locked for this change."""
    people = User.objects.filter(is_machine=False)
    return lock_for_write(people, org=org, pk=user.pk, resource="person")


@transaction.atomic
def user_profile_update(*, org, actor, user, display_name, username, time_zone):
    """A person changes their own name, @mention handle and time zone."""
    from zoneinfo import available_timezones

    user = _locked_person(org, user)
    errors = []
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 150:
        errors.append(FieldError("/displayName", "invalid", "Write a name of 1 to 150 characters."))
    if not USERNAME_RE.match(username or ""):
        errors.append(
            FieldError(
                "/username",
                "invalid",
                "A handle is lowercase letters, digits, '.', '_' or '-' (at most 64).",
            )
        )
    elif User.objects.filter(org=org, username=username).exclude(pk=user.pk).exists():
        errors.append(FieldError("/username", "taken", f"@{username} is someone else's handle."))
    if time_zone not in available_timezones():
        errors.append(FieldError("/timeZone", "invalid", "Choose a time zone from the list."))
    if errors:
        raise ValidationFailed(errors)
    changes = model_changes(
        user,
        {"display_name": display_name, "username": username, "time_zone": time_zone},
        labels={"display_name": "displayName", "time_zone": "timeZone"},
        save=False,
    )
    if not changes:
        return user
    with conflict_on_duplicate("/username", f"@{username} is someone else's handle."):
        user.save(update_fields=["display_name", "username", "time_zone"])
    _user_updated(org, actor, user, changes)
    return user


def _other_active_admins(org, user):
    return (
        User.objects.filter(org=org, role=User.Role.ADMIN, is_active=True, is_machine=False)
        .exclude(pk=user.pk)
        .exists()
    )


@transaction.atomic
def user_change(*, org, actor, user, role=None, is_active=None):
    """An admin changes a person's role or deactivates/reactivates them. Never a superuser
    flag; nobody changes their own role or access, and the org always keeps an active admin.
    A deactivated person's sessions stop working at once (Django checks is_active)."""
    user = _locked_person(org, user)
    errors = []
    if role is not None and role not in User.Role.values:
        errors.append(FieldError("/role", "invalid", "Role must be admin or agent."))
    if actor is not None and actor.pk == user.pk:
        errors.append(
            FieldError("", "self", "You cannot change your own role or access; ask another admin.")
        )
    losing_admin = (
        user.role == User.Role.ADMIN
        and user.is_active
        and ((role is not None and role != User.Role.ADMIN) or is_active is False)
    )
    if losing_admin and not _other_active_admins(org, user):
        errors.append(
            FieldError("", "last_admin", "This is the last admin: make someone else admin first.")
        )
    if errors:
        raise ValidationFailed(errors)
    fields = {}
    if role is not None and role != user.role:
        fields.update(role=role, is_staff=role == User.Role.ADMIN)
    if is_active is not None:
        fields["is_active"] = is_active
    changes = model_changes(
        user, fields, labels={"is_staff": None, "is_active": "active"}, save=False
    )
    if not changes:
        return user
    user.save(update_fields=["role", "is_staff", "is_active"])
    _user_updated(org, actor, user, changes)
    return user


# ---- teams ------------------------------------------------------------------------------------

TEAM_WRITABLE = {"name", "displayName", "slug", "members"}
# what a client reads back and may send again (GET → PUT)
TEAM_READ_ONLY = {"createdAt", "updatedAt"}
MAX_MEMBERS = 1000
# Apps below the core that hold references to teams register here (`fn(*, org, actor, team)`,
# run in the delete's transaction): conversations unassign it, with their own events.
TEAM_DELETE_HOOKS = []


def on_team_delete(fn):
    if fn not in TEAM_DELETE_HOOKS:
        TEAM_DELETE_HOOKS.append(fn)
    return fn


def _team_members(p, org):
    """The member ids the body lists (each once, in order); every bad item named."""
    value = p.data.get("members")
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_MEMBERS:
        p.error("members", "type", f"members must be a list of at most {MAX_MEMBERS} user ids.")
        return None
    wanted = []
    for i, item in enumerate(value):
        pk = as_id(item.get("id") if isinstance(item, dict) else item)
        if pk is None:
            p.errors.append(FieldError(f"/members/{i}", "invalid", "A member is a user id."))
        else:
            wanted.append((i, pk))
    people = set(
        User.objects.filter(
            org=org, pk__in={pk for _, pk in wanted}, is_active=True, is_machine=False
        ).values_list("pk", flat=True)
    )
    for i, pk in wanted:
        if pk not in people:
            p.errors.append(
                FieldError(f"/members/{i}", "unknown_user", f"No person with id {pk} here.")
            )
    return list(dict.fromkeys(pk for _, pk in wanted if pk in people))


def _team_fields(p, *, org, current=None):
    out = {}
    creating = current is None
    if p.has("name") or creating:
        name = p.string("name", max_length=100, required=True, blank=False)
        if name:
            out["name"] = name
    if p.has("displayName"):
        out["display_name"] = p.string("displayName", max_length=150, default="") or ""
    if p.has("slug") and p.data["slug"] is not None:
        raw = p.string("slug", max_length=64, blank=False)
        if raw:
            out["slug"] = slugify(raw)
            if out["slug"] != raw.lower():
                p.error("slug", "invalid", "A slug is lowercase letters, digits and '-'.")
    elif creating and out.get("name"):
        # the rule the API document states (a letter or digit of A-Z, 0-9): slugify would also
        # fold "ï" to "i" but not "ø" to anything, which no schema can say
        out["slug"] = slugify(out["name"])[:64] if _SLUG_SOURCE.search(out["name"]) else ""
        if not out["slug"]:
            p.error("slug", "required", "This name makes no @mention handle: send a slug.")
    members = _team_members(p, org) if p.has("members") else None
    return out, members


def _team_conflicts(org, fields, current=None):
    """409s for a name (any case) or slug another team of the org holds."""
    errors = []
    others = Team.objects.filter(org=org)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if "name" in fields and others.filter(name__iexact=fields["name"]).exists():
        errors.append(FieldError("/name", "taken", f"A team named {fields['name']!r} exists."))
    if "slug" in fields and others.filter(slug=fields["slug"]).exists():
        errors.append(FieldError("/slug", "taken", f"The team @{fields['slug']} exists."))
    if errors:
        raise Conflict(errors[0].detail, errors=errors)


def _team_save(team, fields, current=None):
    try:
        with transaction.atomic():  # a savepoint: a lost race is a 409, not a broken transaction
            team.save()
    except IntegrityError:
        _team_conflicts(team.org, fields, current)
        raise Conflict("A team with this name or slug was just created.") from None


def _member_ids(team):
    return sorted(team.members.values_list("pk", flat=True))


def _team_event(org, actor, team, type, member_ids, changes=None):
    emit(
        org=org,
        type=type,
        resource="team",
        resource_id=team.pk,
        actor=actor,
        rev=team.rev,
        data=team_resource(team, member_ids),
        changes=changes,
    )


@transaction.atomic
def team_create(*, org, actor=None, data):
    p = Payload(data, allowed=TEAM_WRITABLE | TEAM_READ_ONLY)
    fields, members = _team_fields(p, org=org)
    p.raise_if_errors()
    _team_conflicts(org, fields)
    team = Team(org=org, **fields)
    _team_save(team, fields)
    team.members.set(members or [])
    _team_event(org, actor, team, "team.create", sorted(members or []))
    return team


@transaction.atomic
def team_update(*, org, actor=None, team, data, rev=None):
    """Changes only what the body carries; `members` replaces the member list."""
    team = lock_for_write(
        Team,
        org=org,
        pk=getattr(team, "pk", team),
        rev=rev if rev is not None else (data.get("rev") if isinstance(data, dict) else None),
        resource="team",
    )
    p = Payload(data, allowed=TEAM_WRITABLE | TEAM_READ_ONLY | {"rev"})
    fields, members = _team_fields(p, org=org, current=team)
    p.raise_if_errors()
    _team_conflicts(org, fields, team)
    before = team_resource(team, _member_ids(team))["attributes"]
    after_members = sorted(members) if members is not None else before["members"]
    members_changed = (
        team_resource(team, after_members)["attributes"]["members"] != (before["members"])
    )
    # the member list is the team's own too: a new one alone is a change (rev+1, an event)
    if not model_update(team, fields, save=False, extra=("members",) if members_changed else ()):
        return team
    after = team_resource(team, after_members)["attributes"]
    changes = diff(before, after, ["name", "displayName", "slug", "members"])
    _team_save(team, fields, team)
    if members_changed:
        team.members.set(members)
    _team_event(org, actor, team, "team.update", after_members, changes)
    return team


@transaction.atomic
def team_delete(*, org, actor=None, team, rev=None):
    team = lock_for_write(Team, org=org, pk=getattr(team, "pk", team), rev=rev, resource="team")
    for hook in TEAM_DELETE_HOOKS:
        hook(org=org, actor=actor, team=team)
    snapshot = team_resource(team, _member_ids(team))
    gone = Team(pk=team.pk, org=org, rev=team.rev)
    team.delete()
    emit(
        org=org,
        type="team.delete",
        resource="team",
        resource_id=gone.pk,
        actor=actor,
        rev=gone.rev,
        data=snapshot,
    )


@transaction.atomic
def api_key_create(
    *, org, name, scopes=None, expires_at=None, rate_limit_per_minute=None, actor=None
):
    """Create a key and its machine user; returns (key, token). The token is never stored."""
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(FieldError("/name", "required", "An API key needs a name."))
    scopes = list(scope_names.ALL_SCOPES if scopes is None else scopes)
    bad = scope_names.invalid_scopes(scopes)
    if bad:
        errors.append(
            FieldError(
                "/scopes",
                "invalid",
                f"Unknown scope(s): {', '.join(bad)}. Scopes look like "
                "org.permission.customer.read.",
            )
        )
    if expires_at is not None and expires_at <= timezone.now():
        errors.append(FieldError("/expiresAt", "invalid", "The expiry must be in the future."))
    if errors:
        raise ValidationFailed(errors)
    for attempt in range(3):
        # The prefix is 32 random bits: it repeats once in ~65,000 keys. Draw again then.
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists() or attempt == 2:
            break
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    machine = User(
        org=org,
        email=f"api-{prefix}@{org.slug}.keys.kdesk.invalid",
        username=_unique_username(org, f"api-{slugify(name)}"),
        display_name=name,
        role=User.Role.AGENT,
        is_machine=True,
    )
    machine.set_unusable_password()
    with conflict_on_duplicate("/name", "Another key was created at the same time; retry."):
        machine.save()
    key = ApiKey.objects.create(
        org=org,
        user=machine,
        name=name,
        prefix=prefix,
        token_hash=hash_token(token),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor if actor is not None and actor.pk else None,
    )
    emit(
        org=org,
        type="api_key.create",
        resource="api_key",
        resource_id=key.pk,
        actor=actor,
        data={"name": name, "prefix": prefix, "scopes": key.scopes},
    )
    return key, token


@transaction.atomic
def api_key_revoke(*, org, key, actor=None):
    if key.org_id != org.id:
        raise ValidationFailed([FieldError("/id", "not_found", "No such API key.")])
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        forget_key(key.token_hash)
        # and again after commit, in case a request cached it in between
        transaction.on_commit(lambda: forget_key(key.token_hash))
        emit(
            org=org,
            type="api_key.revoke",
            resource="api_key",
            resource_id=key.pk,
            actor=actor,
            data={"name": key.name, "prefix": key.prefix},
        )
    return key
