"""Tokens and signatures: Kustomer's hex HMAC and Standard Webhooks' `v1,<base64>`."""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_token():
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def kustomer_signature(token, body):
    """Hex HMAC-SHA256 keyed with the token string itself, over the raw body."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(token, message_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256>` keyed with the base64-decoded part after `whsec_`, over
    "{id}.{timestamp}.{body}"."""
    key = base64.b64decode(token[len(PREFIX) :])
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(tokens, message_id, timestamp, body):
    """The signature headers for `body` under every live token (newest first): Standard Webhooks
    carries one signature per token, space-separated, so receivers holding either verify."""
    current, *older = tokens
    out = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(t, message_id, timestamp, body) for t in tokens
        ),
        "X-Kustomer-Webhook-Signature": kustomer_signature(current, body),
    }
    if older:
        # Kustomer's header holds exactly one hex digest; the old token's goes alongside.
        out["X-Kustomer-Webhook-Signature-Previous"] = kustomer_signature(older[0], body)
    return out
