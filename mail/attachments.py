"""Attachments kept through Django's storage API (local files by default; S3-compatible storage
through django-storages by setting STORAGES["default"]), within the size and count limits of
the settings, with the content type sniffed from the bytes for the formats we preview."""

import mimetypes
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import get_valid_filename

from mail.models import Attachment

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(data, declared):
    """The type the bytes show; an image type is only believed when the bytes agree (what the
    desk shows inline must really be an image), anything else falls back to a download type."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if kind == "application/zip" and declared and declared != "application/zip":
                return declared  # docx, xlsx, … are zip files: the sender's name is finer
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    declared = (declared or "").lower()
    if declared.startswith("image/") or declared in ("text/html", "image/svg+xml", ""):
        return "application/octet-stream"
    return declared[:100]


def human_size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def check(parts):
    """(kept, notes): parts within the limits, and a sentence for each one left out."""
    kept, notes = [], []
    limit, most = settings.MAIL_ATTACHMENT_MAX_BYTES, settings.MAIL_ATTACHMENT_MAX_COUNT
    for part in parts:
        name = part.filename or "unnamed"
        if len(part.data) > limit:
            notes.append(
                f"The attachment “{name}” ({human_size(len(part.data))}) was not kept: "
                f"it is over the {human_size(limit)} limit."
            )
        elif len(kept) >= most:
            notes.append(f"The attachment “{name}” was not kept: at most {most} are kept.")
        else:
            kept.append(part)
    return kept, notes


def _save_file(row, name, data):
    filename = get_valid_filename(name) or "attachment"
    row.file.save(filename[-100:], ContentFile(data), save=False)


def stage(*, org, parts, saved):
    """Keep `parts` (already checked) as pending attachments, for a message about to be
    written to take by id; the storage names written go into `saved`, so a caller whose
    transaction fails can delete them at once (the sweep deletes what it misses)."""
    rows = []
    now = timezone.now()
    for part in parts:
        kind = sniff(part.data, part.content_type)
        # An unnamed part (an inline image, say) is named by its type.
        name = part.filename or f"attachment{mimetypes.guess_extension(kind) or ''}"
        row = Attachment(
            org=org,
            message=None,
            filename=name[:255],
            content_type=kind,
            size=len(part.data),
            content_id=part.content_id[:255],
            inline=part.inline,
            created_at=now,
        )
        _save_file(row, name, part.data)
        saved.append(row.file.name)
        rows.append(row)
    return Attachment.objects.bulk_create(rows)


def limit_problems(sizes_by_name):
    """A sentence for each file over the size limit, and one when there are too many: what the
    composer and the API refuse (an agent's file is never silently left out)."""
    limit, most = settings.MAIL_ATTACHMENT_MAX_BYTES, settings.MAIL_ATTACHMENT_MAX_COUNT
    out = [
        f"“{name}” ({human_size(size)}) is over the {human_size(limit)} limit for a file."
        for name, size in sizes_by_name
        if size > limit
    ]
    if len(sizes_by_name) > most:
        out.append(f"At most {most} files may be sent with a message ({len(sizes_by_name)} given).")
    return out


class Provider:
    """What conversations/services/message_extras.py asks of the keeper of files."""

    @staticmethod
    def resolve(org, ids):
        most = settings.MAIL_ATTACHMENT_MAX_COUNT
        if len(ids) > most:
            return [], [(most, "too_many", f"At most {most} files may be sent with a message.")]
        rows = {a.pk: a for a in Attachment.objects.filter(org=org, pk__in=ids)}
        summaries, problems = [], []
        for index, pk in enumerate(ids):
            row = rows.get(pk)
            if row is None:
                problems.append((index, "not_found", f"No attachment with id {pk}."))
            elif row.message_id is not None:
                problems.append((index, "taken", f"Attachment {pk} was sent with another message."))
            elif not row.uploaded:
                problems.append(
                    (index, "not_uploaded", f"The file of attachment {pk} was not uploaded.")
                )
            else:
                summaries.append(
                    {
                        "id": str(pk),
                        "name": row.filename,
                        "contentType": row.content_type,
                        "size": row.size,
                    }
                )
        return summaries, problems

    @staticmethod
    def bind(org, message, ids):
        taken = Attachment.objects.filter(org=org, pk__in=ids, message__isnull=True).update(
            message=message
        )
        if taken != len(ids):  # another message took one meanwhile: this one must not half-send
            from kdesk.errors import Conflict

            raise Conflict("An attachment was sent with another message meanwhile; send again.")


def declare(*, org, name, content_type, size):
    """A pending attachment without its bytes yet (an API client declares, then uploads)."""
    return Attachment.objects.create(
        org=org,
        message=None,
        filename=name[:255],
        content_type=(content_type or "application/octet-stream")[:100],
        size=size,
        created_at=timezone.now(),
    )


def upload(row, data, declared_type):
    row.content_type = sniff(data, declared_type or row.content_type)
    row.size = len(data)
    _save_file(row, row.filename, data)
    try:
        Attachment.objects.filter(pk=row.pk, message__isnull=True).update(
            file=row.file.name, content_type=row.content_type, size=row.size
        )
    except Exception:
        discard([row.file.name])
        raise
    return row


def _months(now):
    first = now.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return [f"attachments/{d:%Y/%m}" for d in (previous, first)]


def sweep(now=None):
    """Delete what no message took: pending attachments older than ATTACHMENT_ORPHAN_MINUTES,
    and files of this month's and last month's folders that no attachment names (written by a
    transaction that then rolled back, or by a process that died before its row was written).
    Returns the storage names deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ATTACHMENT_ORPHAN_MINUTES)
    deleted = []
    stale = Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)
    for pk, name in stale.values_list("pk", "file")[:1000]:
        # Only a row still pending is deleted: a message may take it at this very moment.
        if Attachment.objects.filter(pk=pk, message__isnull=True).delete()[0] and name:
            discard([name])
            deleted.append(name)
    for folder in _months(now):
        try:
            _, names = default_storage.listdir(folder)
        except (OSError, NotImplementedError):
            continue
        paths = [f"{folder}/{n}" for n in names]
        for chunk in range(0, len(paths), 500):
            batch = paths[chunk : chunk + 500]
            known = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
            for path in batch:
                if path in known or _modified(path) >= cutoff:
                    continue
                discard([path])
                deleted.append(path)
    return deleted


def _modified(path):
    try:
        return default_storage.get_modified_time(path)
    except (OSError, NotImplementedError):
        return timezone.now()  # unknown age: kept, never deleted on a guess


def discard(names):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
