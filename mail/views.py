"""Mailbox settings pages (/settings/mailboxes/, admins only); attachment downloads and the
attachments strip of an email on the timeline (agents of the org)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kdesk.errors import NotFound, ServiceError
from kdesk.forms import add_service_errors
from kdesk.views import admin_required
from mail import selectors, services, tokens
from mail.api import download
from mail.attachments import human_size
from mail.forms import MailboxForm


def _mailbox(request, pk):
    found = selectors.mailbox(org=request.user.org, pk=pk)
    if found is None:
        raise Http404
    return found


def _save(request, form, write):
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.service_data())
    except ServiceError as exc:
        add_service_errors(form, exc, form.field_of)
    return None


@admin_required
def mailbox_list(request):
    org = request.user.org
    form = MailboxForm(request.POST or None, initial={"enabled": True})
    created = _save(
        request,
        form,
        lambda data: services.mailbox_create(org=org, actor=request.user, data=data),
    )
    if created is not None:
        messages.success(request, f"Mailbox {created.address} added.")
        return redirect("settings-mailbox", pk=created.pk)
    return render(
        request,
        "mail/mailboxes.html",
        {"form": form, "mailboxes": list(selectors.mailboxes(org=org))},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@admin_required
def mailbox_detail(request, pk):
    org = request.user.org
    mailbox = _mailbox(request, pk)
    form = MailboxForm(request.POST or None, initial=MailboxForm.initial_for(mailbox))
    saved = _save(
        request,
        form,
        lambda data: services.mailbox_update(
            org=org, actor=request.user, mailbox=mailbox, data=data
        ),
    )
    if saved is not None:
        messages.success(request, "Mailbox saved.")
        return redirect("settings-mailbox", pk=mailbox.pk)
    return render(
        request,
        "mail/mailbox.html",
        {
            "mailbox": mailbox,
            "form": form,
            "received": selectors.recent_mail(org=org, mailbox=mailbox),
            "reply_example": tokens.reply_address(mailbox.address, org.pk, 1234),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@admin_required
def mailbox_delete(request, pk):
    mailbox = _mailbox(request, pk)
    if request.method == "POST":
        services.mailbox_delete(org=request.user.org, actor=request.user, mailbox=mailbox)
        messages.success(request, f"Mailbox {mailbox.address} deleted.")
        return redirect("settings-mailboxes")
    return render(request, "mail/mailbox_delete.html", {"mailbox": mailbox})


@admin_required
@require_POST
def mailbox_fetch(request, pk):
    """Fetch now (IMAP), instead of waiting for the next round of the worker."""
    from mail import imap

    mailbox = _mailbox(request, pk)
    if not mailbox.imap_enabled:
        messages.error(request, "IMAP fetching is off for this mailbox.")
        return redirect("settings-mailbox", pk=mailbox.pk)
    count = imap.fetch(mailbox)
    mailbox.refresh_from_db()
    if count is None:
        messages.info(request, "A fetch is running already.")
    elif mailbox.imap_error:
        messages.error(request, f"Fetching failed: {mailbox.imap_error}")
    else:
        messages.success(request, f"{count} new email{'s' if count != 1 else ''} taken in.")
    return redirect("settings-mailbox", pk=mailbox.pk)


@login_required
@require_GET
def attachment_download(request, pk, name=None):
    row = selectors.attachment(org=request.user.org, pk=pk)
    if row is None:
        raise Http404
    try:
        return download(row)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def message_parts(request, message_id):
    """The attachments and email details of one message (loaded by its timeline entry)."""
    org = request.user.org
    rows = selectors.message_attachments(org=org, message_ids=[message_id]).get(message_id, [])
    mail = selectors.message_mail(org=org, message_id=message_id)
    for row in rows:
        row.size_text = human_size(row.size)
    return render(request, "mail/parts.html", {"attachments": rows, "mail": mail})
