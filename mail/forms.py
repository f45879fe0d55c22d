"""The mailbox settings form; it only shapes input for the service, which validates it."""

from django import forms

from mail.models import Mailbox

SECURITY_HELP = "STARTTLS on port 587 is usual for SMTP; TLS on 993 for IMAP."


class MailboxForm(forms.Form):
    address = forms.CharField(
        label="Address",
        max_length=254,
        help_text="The support address customers write to, e.g. support@acme.com.",
        widget=forms.EmailInput(attrs={"placeholder": "support@acme.com"}),
    )
    display_name = forms.CharField(
        label="Display name", max_length=100, required=False, help_text="Shown as the sender."
    )
    enabled = forms.BooleanField(label="Mailbox on", required=False, initial=True)
    sending = forms.ChoiceField(
        label="Send replies through", choices=Mailbox.Sending.choices, initial="smtp"
    )
    smtp_host = forms.CharField(label="SMTP server", max_length=255, required=False)
    smtp_port = forms.IntegerField(
        label="SMTP port", min_value=1, max_value=65535, initial=587, required=False
    )
    smtp_security = forms.ChoiceField(
        label="SMTP security", choices=Mailbox.Security.choices, initial="starttls"
    )
    smtp_user = forms.CharField(label="SMTP user name", max_length=255, required=False)
    smtp_password = forms.CharField(
        label="SMTP password",
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current one.",
    )
    imap_enabled = forms.BooleanField(label="Fetch mail over IMAP", required=False)
    imap_host = forms.CharField(label="IMAP server", max_length=255, required=False)
    imap_port = forms.IntegerField(
        label="IMAP port", min_value=1, max_value=65535, initial=993, required=False
    )
    imap_security = forms.ChoiceField(
        label="IMAP security",
        choices=Mailbox.Security.choices,
        initial="ssl",
        help_text=SECURITY_HELP,
    )
    imap_user = forms.CharField(label="IMAP user name", max_length=255, required=False)
    imap_password = forms.CharField(
        label="IMAP password",
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current one.",
    )
    imap_folder = forms.CharField(label="IMAP folder", max_length=255, initial="INBOX")

    API = {
        "address": "address",
        "display_name": "displayName",
        "enabled": "enabled",
        "sending": "sending",
        "smtp_host": "smtpHost",
        "smtp_port": "smtpPort",
        "smtp_security": "smtpSecurity",
        "smtp_user": "smtpUser",
        "smtp_password": "smtpPassword",
        "imap_enabled": "imapEnabled",
        "imap_host": "imapHost",
        "imap_port": "imapPort",
        "imap_security": "imapSecurity",
        "imap_user": "imapUser",
        "imap_password": "imapPassword",
        "imap_folder": "imapFolder",
    }

    @classmethod
    def initial_for(cls, mailbox):
        return {name: getattr(mailbox, name) for name in cls.API if not name.endswith("_password")}

    def service_data(self):
        data = {}
        for name, api in self.API.items():
            value = self.cleaned_data.get(name)
            if name.endswith("_password") and not value:
                continue  # empty: keep the stored password
            if name.endswith("_port") and value is None:
                value = 587 if name.startswith("smtp") else 993
            data[api] = value
        return data

    def field_of(self, pointer):
        """The form field a service error's pointer names."""
        key = pointer.strip("/").split("/")[0]
        return next((name for name, api in self.API.items() if api == key), None)
