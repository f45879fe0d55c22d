"""Writes of the desk's own records: saved inbox views. Each records one event (`view.*`)."""

from django.db import transaction
from django.utils import timezone

from kdesk.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kdesk.events import emit
from kdesk.payload import as_id
from kdesk.updates import lock_for_write
from timeline import saved_views
from timeline.models import SavedView


def _representation(view):
    return {
        "type": "view",
        "id": str(view.pk),
        "attributes": {"name": view.name, "filters": view.filters},
        "relationships": {
            "owner": {"data": {"type": "user", "id": str(view.owner_id)}},
            "team": {"data": {"type": "team", "id": str(view.team_id)} if view.team_id else None},
        },
    }


def _check_search(org, owner, filters):
    """The engine compiles the view's search now, so a view that cannot run is never saved."""
    try:
        saved_views.conversations(org=org, user_id=owner.pk, filters=filters)
    except ValidationFailed as exc:
        errors = []
        for error in exc.errors:
            pointer = error.pointer or ""
            field = (
                "/kobject_value"
                if "kobject" in pointer
                else "/attr_value"
                if "custom_" in pointer
                else ""
            )
            errors.append(FieldError(field, error.code, error.detail))
        raise ValidationFailed(errors) from None


def can_change(view, user):
    return view.owner_id == user.pk or getattr(user, "role", "") == "admin"


@transaction.atomic
def saved_view_create(*, org, actor, name, team_id, filters):
    _check_search(org, actor, filters)
    view = SavedView.objects.create(
        org=org, owner=actor, team_id=team_id, name=name, filters=filters
    )
    emit(
        org=org,
        actor=actor,
        type="view.create",
        resource="view",
        resource_id=view.pk,
        rev=view.rev,
        data=_representation(view),
    )
    return view


@transaction.atomic
def saved_view_update(*, org, actor, view, name, team_id, filters, rev=None):
    """`rev`: the revision the form was filled from; an older one is refused (409), so a change
    made meanwhile is never overwritten unseen."""
    locked = lock_for_write(SavedView, org=org, pk=view.pk, missing="This view no longer exists.")
    if not can_change(locked, actor):
        raise Forbidden("Only the view's owner or an admin can change it.")
    if rev is not None and as_id(rev) != locked.rev:
        raise Conflict("Someone changed this view meanwhile: reload it.")
    _check_search(org, locked.owner, filters)
    before = {"name": locked.name, "team": locked.team_id, "filters": locked.filters}
    after = {"name": name, "team": team_id, "filters": filters}
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if not changes:
        return locked
    locked.name, locked.team_id, locked.filters = name, team_id, filters
    locked.rev += 1
    locked.updated_at = timezone.now()
    locked.save()
    emit(
        org=org,
        actor=actor,
        type="view.update",
        resource="view",
        resource_id=locked.pk,
        rev=locked.rev,
        data=_representation(locked),
        changes=changes,
    )
    return locked


@transaction.atomic
def saved_view_delete(*, org, actor, view):
    locked = SavedView.objects.select_for_update().filter(org=org, pk=view.pk).first()
    if locked is None:
        raise NotFound("This view no longer exists.")
    if not can_change(locked, actor):
        raise Forbidden("Only the view's owner or an admin can delete it.")
    data = _representation(locked)
    pk = locked.pk
    locked.delete()
    emit(
        org=org,
        actor=actor,
        type="view.delete",
        resource="view",
        resource_id=pk,
        rev=locked.rev,
        data=data,
    )


BULK_LIMIT = 100


@transaction.atomic
def conversations_bulk_update(*, org, actor, conversations, data, add_tags=()):
    """Apply one change (`data`, as conversation_update takes it; `add_tags` added to each
    conversation's own tags) to every conversation, each through conversation_update (its own
    event). All or nothing: every conversation is tried, and if any is refused the whole
    change is rolled back and ValidationFailed names each refusal."""
    from conversations import services as conv_services

    if len(conversations) > BULK_LIMIT:
        raise ValidationFailed(
            [FieldError("/ids", "too_many", f"Select at most {BULK_LIMIT} conversations.")]
        )
    errors, updated = [], []
    for conversation in conversations:
        change = dict(data)
        if add_tags:
            change["tags"] = list(dict.fromkeys([*(conversation.tags or []), *add_tags]))
        try:
            with transaction.atomic():
                updated.append(
                    conv_services.conversation_update(
                        org=org, actor=actor, conversation=conversation, data=change
                    )
                )
        except (ValidationFailed, NotFound) as exc:
            who = conversation.customer.name or "Unnamed customer"
            what = conversation.name or "Untitled"
            for error in getattr(exc, "errors", None) or [exc]:
                detail = getattr(error, "detail", None) or str(error)
                errors.append(FieldError("", "refused", f"{who} · {what}: {detail}"))
    if errors:
        raise ValidationFailed(errors)
    return updated
