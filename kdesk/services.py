"""Writes for the core: organizations, people, teams and API keys."""

import re
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kdesk import scopes as scope_names
from kdesk.api.auth import TOKEN_PREFIX, forget_key, hash_token
from kdesk.errors import FieldError, ValidationFailed
from kdesk.events import emit
from kdesk.models import ApiKey, Organization, Team, User
from kdesk.unique import conflict_on_duplicate

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


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


@transaction.atomic
def team_create(*, org, name, slug=None, members=(), actor=None):
    slug = slugify(slug or name)
    if not slug:
        raise ValidationFailed([FieldError("/name", "required", "A team needs a name.")])
    taken = f"The team @{slug} exists."
    if Team.objects.filter(org=org, slug=slug).exists():
        raise ValidationFailed([FieldError("/slug", "taken", taken)])
    with conflict_on_duplicate("/slug", taken):  # a concurrent create of the same slug
        team = Team.objects.create(org=org, name=name, slug=slug)
    team.members.set([m for m in members if m.org_id == org.id])
    emit(
        org=org,
        type="team.create",
        resource="team",
        resource_id=team.pk,
        actor=actor,
        data={"name": name, "slug": slug},
    )
    return team


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
