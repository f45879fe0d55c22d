from kdesk.representations import iso


def mailbox_resource(m):
    return {
        "type": "mailbox",
        "id": str(m.pk),
        "attributes": {
            "address": m.address,
            "displayName": m.display_name,
            "enabled": m.enabled,
            "sending": m.sending,
            "smtpHost": m.smtp_host,
            "smtpPort": m.smtp_port,
            "smtpSecurity": m.smtp_security,
            "smtpUser": m.smtp_user,
            # Write-only: whether one is stored, never the password.
            "smtpPasswordSet": bool(m.smtp_password),
            "imapEnabled": m.imap_enabled,
            "imapHost": m.imap_host,
            "imapPort": m.imap_port,
            "imapSecurity": m.imap_security,
            "imapUser": m.imap_user,
            "imapPasswordSet": bool(m.imap_password),
            "imapFolder": m.imap_folder,
            "imapCheckedAt": iso(m.imap_checked_at),
            "imapError": m.imap_error,
            "rev": m.rev,
            "createdAt": iso(m.created_at),
            "updatedAt": iso(m.updated_at),
        },
        "relationships": {},
        "links": {"self": f"/v1/mailboxes/{m.pk}"},
    }


def attachment_resource(a):
    return {
        "type": "attachment",
        "id": str(a.pk),
        "attributes": {
            "name": a.filename,
            "contentType": a.content_type,
            "size": a.size,
            "inline": a.inline,
            "contentId": a.content_id or None,
            "uploaded": a.uploaded,
            "createdAt": iso(a.created_at),
        },
        # A pending attachment (not yet sent with a message) has no message to link.
        "relationships": (
            {"message": {"data": {"type": "message", "id": str(a.message_id)}}}
            if a.message_id
            else {}
        ),
        "links": {"self": f"/v1/attachments/{a.pk}", "download": f"/v1/attachments/{a.pk}/content"},
    }
