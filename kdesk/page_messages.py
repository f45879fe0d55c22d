"""What a desk page's error response says to the person, for requests made in the background.

htmx does not swap a 4xx/5xx answer into the page (static/js/desk.js), so a failed send would
otherwise look like a button that did nothing. Error pages carry their message in a header too;
static/js/kdesk.js shows it as a toast and leaves the form, and what was typed in it, alone."""

from urllib.parse import quote

HEADER = "X-Kdesk-Message"


def tell(response, text):
    # percent-encoded: a header holds Latin-1 only, and messages may quote names in any script
    response[HEADER] = quote(text, safe=" ,.;:!?'()-")
    return response
