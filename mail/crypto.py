"""Mailbox passwords at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is MAIL_ENCRYPTION_KEY when set (a Fernet key), else derived from SECRET_KEY with HKDF,
so a database dump alone does not reveal the passwords. Changing SECRET_KEY without setting
MAIL_ENCRYPTION_KEY to the old derived key makes stored passwords unreadable: admins re-enter
them (the mailbox page says so)."""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unreadable(Exception):
    """A stored secret that the current key cannot open."""


@cache
def _fernet(secret_key, explicit):
    if explicit:
        return Fernet(explicit.encode() if isinstance(explicit, str) else explicit)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"kdesk-mail", info=b"mailbox-passwords"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _key():
    return _fernet(settings.SECRET_KEY, settings.MAIL_ENCRYPTION_KEY)


def encrypt(plain):
    return _key().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token):
    if not token:
        return ""
    try:
        return _key().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unreadable(
            "The stored password cannot be read with the current key; enter it again."
        ) from None


def decrypt_quiet(token):
    """The stored secret, or None when it cannot be read (comparing before a change)."""
    try:
        return decrypt(token)
    except Unreadable:
        return None
