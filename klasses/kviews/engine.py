"""KView rendering: admin-written Jinja2 templates in a sandbox, with limits.

Templates run in a SandboxedEnvironment with autoescaping; a render gets a time budget and an
output budget, `range` is capped, and the output is sanitised with nh3 (links open in a new tab
with rel=noopener, only http/https/mailto URLs survive). A failing template never breaks the page:
`render` returns a result whose error agents see as "card unavailable" and admins see with its
line number.

The limits themselves are in `sandbox` (the environment) and `limits` (the budgets).
"""

import traceback
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

import nh3
from django.conf import settings
from django.utils.html import escape
from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import SecurityError

from klasses.kviews.limits import (
    MAX_SOURCE_CHARS,
    MAX_WIDTH,
    RenderLimit,
    check_size,
    check_text,
    render_budget,
    text_len,
)
from klasses.kviews.nesting import check_tokens, check_tree
from klasses.kviews.readonly import read_only
from klasses.kviews.sandbox import limited_environment, limited_output

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "br",
    "code",
    "div",
    "dl",
    "dt",
    "dd",
    "em",
    "h3",
    "h4",
    "h5",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "time",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan"},
    "th": {"colspan"},
    "time": {"datetime"},
}


def fmt_number(value, decimals=0):
    check_text(value)
    try:
        places = int(decimals)
        number = Decimal(str(value))
        if number.is_finite() and max(number.adjusted(), 0) + places > MAX_WIDTH:
            raise RenderLimit(f"numbers are limited to {MAX_WIDTH} digits")
        return f"{number:,.{places}f}"
    except (InvalidOperation, ValueError, TypeError):
        return "" if value is None else str(value)


def fmt_currency(value, code="USD"):
    check_text(code)
    number = fmt_number(value, 0 if code == "JPY" else 2)
    if not number:
        return ""
    symbol = CURRENCY_SYMBOLS.get(str(code).upper())
    return f"{symbol}{number}" if symbol else f"{number} {code}"


def fmt_date(value, style="medium"):
    if not value:
        return ""
    check_text(value)
    check_text(style)
    check_size(20 * len(str(style)))  # strftime: "%c" is 2 characters, its date 24
    try:
        dt = (
            value
            if isinstance(value, datetime)
            else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        )
    except ValueError:
        return str(value)
    formats = {"short": "%Y-%m-%d", "medium": "%b %d, %Y", "long": "%B %d, %Y %H:%M UTC"}
    return dt.strftime(formats.get(style, style if "%" in str(style) else "%b %d, %Y"))


def deeplink(url, **params):
    """`url` with params appended, or "" unless it is an absolute http(s) URL."""
    check_text(url)
    check_size(sum(text_len(v) for v in params.values()))
    url = str(url or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    clean = {k: "" if v is None or isinstance(v, Undefined) else v for k, v in params.items()}
    if not clean:
        return url
    return url + ("&" if parts.query else "?") + urlencode(clean)


_env = limited_environment(
    filters={"number": fmt_number, "currency": fmt_currency, "date": fmt_date},
    functions={
        "deeplink": deeplink,
        "number": fmt_number,
        "currency": fmt_currency,
        "date": fmt_date,
    },
)


def environment():
    return _env


TOO_DEEP = "the template nests too deeply to compile; simplify it"


def _parse(source):
    """The parsed template, once its nesting is known to be within nesting's limits."""
    check_tokens(_env, source)
    tree = _env.parse(source)
    check_tree(tree)
    return tree


def syntax_error(source):
    """A message naming the line of the first syntax error, unknown filter or test, or nesting
    too deep, or None."""
    try:
        tree = _parse(source)
    except TemplateSyntaxError as exc:
        return f"line {exc.lineno}: {exc.message}"
    except (RecursionError, MemoryError):  # the limits above are meant to make this unreachable
        return TOO_DEEP
    return unknown_name(tree)


def unknown_name(tree):
    """The first filter or test the template uses that does not exist. Jinja only finds one
    inside an `if` when that branch runs, so a card would save and fail later on some customer."""
    from difflib import get_close_matches

    from jinja2 import nodes

    for node in tree.find_all((nodes.Filter, nodes.Test)):
        kind, known = (
            ("filter", _env.filters) if isinstance(node, nodes.Filter) else ("test", _env.tests)
        )
        if node.name not in known:
            close = get_close_matches(node.name, list(known), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            return f"line {node.lineno}: there is no {kind} named '{node.name}'.{hint}"
    return None


def url_template_error(source):
    problem = syntax_error(source)
    if problem:
        return problem
    stripped = source.strip()
    if not (stripped.startswith(("https://", "http://", "/"))):
        return "An iframe URL starts with https://, http:// or / (a page of kdesk itself)."
    origin = _origin(stripped.split("{", 1)[0])
    if origin and origin not in settings.IFRAME_ALLOWED_ORIGINS:
        return (
            f"{origin} is not an allowed iframe origin; allowed: "
            f"{', '.join(settings.IFRAME_ALLOWED_ORIGINS) or 'none (set IFRAME_ALLOWED_ORIGINS)'}."
        )
    return None


def _origin(url):
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


@dataclass
class Rendered:
    html: str = ""
    error: str = ""
    line: int | None = None

    @property
    def ok(self):
        return not self.error


def _error_line(exc):
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = lineno
    return line


@lru_cache(maxsize=128)
def _check_nesting(source):
    """Raises TooDeep for a template nested past nesting's limits (one saved before they
    were checked); once per source and process, outside the render budget (nothing in it ticks)."""
    _parse(source)


@lru_cache(maxsize=128)
def _compile(source):
    """Compiled once per source and process: compiling costs more than most renders."""
    try:
        return _env.from_string(source)
    except (RecursionError, MemoryError, SyntaxError):  # _check_nesting is meant to prevent it
        raise RenderLimit(TOO_DEEP) from None


def _render_source(source, context):
    if len(source) > MAX_SOURCE_CHARS:
        raise RenderLimit(f"templates are limited to {MAX_SOURCE_CHARS:,} characters")
    _check_nesting(source)
    context = read_only(context)
    # Compiling is inside the budget too: filters Jinja folds at compile time tick and spend.
    with render_budget():
        return limited_output(_compile(source).generate(**context))


def render(source, context):
    """Render a template KView; never raises."""
    try:
        html = _render_source(source, context)
    except (TemplateError, SecurityError, RenderLimit, Exception) as exc:  # noqa: BLE001
        return Rendered(error=f"{type(exc).__name__}: {exc}", line=_error_line(exc))
    return Rendered(
        html=nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
            set_tag_attribute_values={"a": {"target": "_blank"}},
        )
    )


def render_url(source, context):
    """Render an iframe KView's URL; it must stay on an allowed origin (or kdesk itself)."""
    try:
        url = _render_source(source, context).strip()
    except Exception as exc:  # noqa: BLE001
        return Rendered(error=f"{type(exc).__name__}: {exc}", line=_error_line(exc))
    from html import unescape

    url = unescape(url)
    origin = _origin(url)
    same_site = (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not any(c in url for c in "\\\t\r\n")
    )
    if not same_site and (origin is None or origin not in settings.IFRAME_ALLOWED_ORIGINS):
        return Rendered(error=f"The URL {url[:200]!r} is not on an allowed iframe origin.")
    return Rendered(html=url)


def iframe_html(url):
    return (
        f'<iframe class="kview-frame" src="{escape(url)}" loading="lazy" '
        'sandbox="allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox" '
        'referrerpolicy="no-referrer" title="Embedded card"></iframe>'
    )
