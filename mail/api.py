"""`/v1/mailboxes` (admins manage the email channel's addresses) and `/v1/attachments`
(files of messages: declared, uploaded, then sent by id with a message, as Kustomer's API does;
read by keys with message read scope)."""

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from kdesk.api.openapi import errors, resource_schemas, timestamps
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed
from kdesk.payload import Payload
from kdesk.text import NOT_BLANK_PATTERN
from mail import attachments, selectors, services
from mail.models import Mailbox
from mail.openapi import MAILBOX_BODY, MAILBOX_CREATE_BODY
from mail.representations import attachment_resource, mailbox_resource

MAILBOX = resource_schemas(
    "Mailbox",
    {
        "address": serializers.CharField(help_text="An email address (Django's rules)."),
        "displayName": serializers.CharField(),
        "enabled": serializers.BooleanField(),
        "sending": serializers.ChoiceField(Mailbox.Sending.values),
        "smtpHost": serializers.CharField(),
        "smtpPort": serializers.IntegerField(),
        "smtpSecurity": serializers.ChoiceField(Mailbox.Security.values),
        "smtpUser": serializers.CharField(),
        "smtpPasswordSet": serializers.BooleanField(),
        "imapEnabled": serializers.BooleanField(),
        "imapHost": serializers.CharField(),
        "imapPort": serializers.IntegerField(),
        "imapSecurity": serializers.ChoiceField(Mailbox.Security.values),
        "imapUser": serializers.CharField(),
        "imapPasswordSet": serializers.BooleanField(),
        "imapFolder": serializers.CharField(),
        "imapCheckedAt": serializers.DateTimeField(allow_null=True),
        "imapError": serializers.CharField(),
        **timestamps(),
    },
)
ATTACHMENT = resource_schemas(
    "Attachment",
    {
        "name": serializers.CharField(),
        "contentType": serializers.CharField(),
        "size": serializers.IntegerField(),
        "inline": serializers.BooleanField(),
        "contentId": serializers.CharField(allow_null=True),
        "uploaded": serializers.BooleanField(),
    },
)
ATTACHMENT_BODY = inline_serializer(
    "AttachmentBody",
    {
        "name": serializers.RegexField(NOT_BLANK_PATTERN, max_length=255),
        "contentType": serializers.RegexField(NOT_BLANK_PATTERN, max_length=100),
        # attachments.limit_problems refuses a file over the limit for one file
        "contentLength": serializers.IntegerField(
            min_value=0, max_value=settings.MAIL_ATTACHMENT_MAX_BYTES
        ),
    },
)
ATTACHMENT_CREATED = inline_serializer(
    "AttachmentCreated",
    {
        "data": ATTACHMENT.resource(),
        "meta": inline_serializer(
            "AttachmentUploadMeta",
            {
                "upload": inline_serializer(
                    "AttachmentUpload",
                    {"url": serializers.CharField(), "fields": serializers.DictField()},
                )
            },
        ),
    },
)
UPLOAD_BODY = inline_serializer("AttachmentUploadBody", {"file": serializers.FileField()})


def _mailbox(view, pk):
    found = selectors.mailbox(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No mailbox with this id.")
    return found


class MailboxListView(ApiView):
    scope_resource = "mailbox"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: MAILBOX.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        qs = selectors.mailboxes(org=self.org)
        return Response(paginate(request, qs, lambda rows: [mailbox_resource(m) for m in rows]))

    @extend_schema(
        request={"application/json": MAILBOX_CREATE_BODY},
        responses={201: MAILBOX.document, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        mailbox = services.mailbox_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": mailbox_resource(mailbox)}, status=201)


class MailboxDetailView(ApiView):
    scope_resource = "mailbox"

    @extend_schema(responses={200: MAILBOX.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": mailbox_resource(_mailbox(self, pk))})

    @extend_schema(
        request={"application/json": MAILBOX_BODY},
        responses={200: MAILBOX.document, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request, pk):
        mailbox = _mailbox(self, pk)
        data = with_rev(request.data, rev_param(request))
        mailbox = services.mailbox_update(
            org=self.org, actor=self.actor, mailbox=mailbox, data=data
        )
        return Response({"data": mailbox_resource(mailbox)})

    patch = put

    @extend_schema(responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, pk):
        services.mailbox_delete(org=self.org, actor=self.actor, mailbox=_mailbox(self, pk))
        return Response(status=204)


def _attachment(view, pk):
    found = selectors.attachment(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No attachment with this id.")
    return found


class AttachmentListView(ApiView):
    scope_map = {"POST": ("message", "create")}

    @extend_schema(
        request=ATTACHMENT_BODY,
        responses={201: ATTACHMENT_CREATED, **errors(400, 401, 403, 413)},
        description="Declare a file to send with a message: {name, contentType, contentLength} "
        "(bytes). The answer's meta.upload names where to upload the bytes: a multipart POST "
        "to meta.upload.url with meta.upload.fields as form fields and the file last, under "
        "`file`. Then send the message with `attachments: [id]` (or [{_id}] / [{id}]). A file "
        "no message took is deleted after ATTACHMENT_ORPHAN_MINUTES. Limits: "
        "MAIL_ATTACHMENT_MAX_BYTES a file, MAIL_ATTACHMENT_MAX_COUNT a message.",
    )
    def post(self, request):
        p = Payload(request.data, allowed={"name", "contentType", "contentLength"})
        name = p.string("name", max_length=255, required=True, blank=False)
        content_type = p.string("contentType", max_length=100, required=True, blank=False)
        size = p.integer("contentLength", minimum=0, maximum=2**53)
        if size is None and not any(e.pointer == "/contentLength" for e in p.errors):
            p.error("contentLength", "required", "contentLength (the size in bytes) is required.")
        p.raise_if_errors()
        too_big = attachments.limit_problems([(name, size)])
        if too_big:
            raise ValidationFailed([FieldError("/contentLength", "too_large", too_big[0])])
        row = attachments.declare(org=self.org, name=name, content_type=content_type, size=size)
        return Response(
            {
                "data": attachment_resource(row),
                "meta": {"upload": {"url": f"/v1/attachments/{row.pk}/upload", "fields": {}}},
            },
            status=201,
        )


class AttachmentUploadView(ApiView):
    scope_map = {"POST": ("message", "create")}
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": UPLOAD_BODY},
        responses={204: None, **errors(400, 401, 403, 404, 409, 413)},
        description="The bytes of a declared attachment, as the multipart field `file`; "
        "their size must be the declared contentLength.",
    )
    def post(self, request, pk):
        row = _attachment(self, pk)
        if row.message_id is not None or row.uploaded:
            raise Conflict("This attachment's file was uploaded already.")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                [FieldError("/file", "required", "Send the file as the multipart field `file`.")]
            )
        problems = attachments.limit_problems([(row.filename, upload.size)])
        if problems:
            raise ValidationFailed([FieldError("/file", "too_large", problems[0])])
        if upload.size != row.size:
            raise ValidationFailed(
                [
                    FieldError(
                        "/file",
                        "size_mismatch",
                        f"The file has {upload.size} bytes; {row.size} were declared.",
                    )
                ]
            )
        attachments.upload(row, upload.read(), upload.content_type)
        return Response(status=204)


class AttachmentDetailView(ApiView):
    scope_map = {"GET": ("message", "read")}

    @extend_schema(responses={200: ATTACHMENT.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": attachment_resource(_attachment(self, pk))})


class AttachmentContentView(ApiView):
    scope_map = {"GET": ("message", "read")}

    @extend_schema(responses={(200, "application/octet-stream"): bytes, **errors(401, 403, 404)})
    def get(self, request, pk):
        return download(_attachment(self, pk))


def download(row):
    """The file, as a download (never rendered by the browser: it is a stranger's file), except
    images whose bytes we checked, which the timeline previews."""
    try:
        handle = row.file.open("rb")
    except (OSError, ValueError):  # ValueError: created, its file not uploaded yet
        raise NotFound("This attachment's file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=not row.is_image,
        filename=row.filename,
        content_type=row.content_type if row.is_image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
