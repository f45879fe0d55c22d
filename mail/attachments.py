"""Attachments kept through Django's storage API (local files by default; S3-compatible storage
through django-storages by setting STORAGES["default"]), within the size and count limits of
the settings, with the content type sniffed from the bytes for the formats we preview."""

import mimetypes

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


def store(*, org, message, parts, saved):
    """Save `parts` (already checked) for a desk message; the storage names written go into
    `saved`, so a caller whose transaction fails can delete them."""
    rows = []
    now = timezone.now()
    for part in parts:
        kind = sniff(part.data, part.content_type)
        # An unnamed part (an inline image, say) is named by its type.
        name = part.filename or f"attachment{mimetypes.guess_extension(kind) or ''}"
        filename = get_valid_filename(name) or "attachment"
        row = Attachment(
            org=org,
            message=message,
            filename=name[:255],
            content_type=kind,
            size=len(part.data),
            content_id=part.content_id[:255],
            inline=part.inline,
            created_at=now,
        )
        row.file.save(filename[-100:], ContentFile(part.data), save=False)
        saved.append(row.file.name)
        rows.append(row)
    Attachment.objects.bulk_create(rows)
    return rows


def discard(names):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
