"""Reply tokens: the Reply-To of an outgoing email carries the conversation, signed, in the
address's plus part (support+c42-k3v9x2m1qa@acme.com), so a reply whose client dropped the
threading headers still lands in its conversation, and nobody can aim mail at one by guessing."""

import base64
import hmac
import re

from django.conf import settings

_TOKEN = re.compile(r"\+c(\d{1,18})-([a-z2-7]{10})@", re.IGNORECASE)


def _signature(org_id, conversation_id):
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"mail-reply:{org_id}:{conversation_id}".encode(), "sha256"
    ).digest()
    return base64.b32encode(digest[:10]).decode().lower()[:10]


def reply_address(address, org_id, conversation_id):
    local, _, domain = address.partition("@")
    local = local.split("+", 1)[0]
    return f"{local}+c{conversation_id}-{_signature(org_id, conversation_id)}@{domain}"


def base_address(address):
    """support+anything@acme.com -> support@acme.com (lower case)."""
    local, _, domain = address.lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def conversation_of(org_id, addresses):
    """The conversation id a valid reply token among `addresses` names, or None."""
    for address in addresses:
        match = _TOKEN.search(address)
        if match:
            conversation_id, signature = int(match.group(1)), match.group(2).lower()
            if hmac.compare_digest(signature, _signature(org_id, conversation_id)):
                return conversation_id
    return None
