"""The `images` attribute Klasses and KObjects share."""

from urllib.parse import urlsplit

from kdesk.errors import FieldError

IMAGE_SCHEMES = ("http", "https")


def _images(p):
    """`images`: absolute http(s) URLs (they end up in <img src>)."""
    values = p.strings("images", max_length=2048)
    if values is None:
        return None
    for index, value in enumerate(values):
        parts = urlsplit(value)
        if parts.scheme.lower() not in IMAGE_SCHEMES or not parts.netloc:
            p.errors.append(
                FieldError(
                    f"{p.pointer}/images/{index}",
                    "invalid",
                    "an image is an absolute http:// or https:// URL.",
                )
            )
    return values
