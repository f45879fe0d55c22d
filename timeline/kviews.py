"""KView rendering: admin-written Jinja2 templates in a sandbox, with limits.

Templates run in a SandboxedEnvironment with autoescaping; a render gets a time budget and an
output budget, `range` is capped, and the output is sanitised with nh3 (links open in a new tab
with rel=noopener, only http/https/mailto URLs survive). A failing template never breaks the page:
`render` returns a result whose error agents see as "card unavailable" and admins see with its
line number.
"""

import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

import nh3
from django.conf import settings
from django.utils.html import escape
from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_RENDER_SECONDS = 0.2
MAX_OUTPUT_CHARS = 50_000
MAX_RANGE = 1000
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


class RenderLimit(Exception):  # noqa: N818
    pass


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, plus a deadline checked whenever the template calls or looks something up,
    and arithmetic that may not build huge strings or lists (`'x' * 10**9`)."""

    deadline = None
    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context, operator, left, right):
        self._check()
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise RenderLimit("exponents are limited to 64")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    if len(seq) * times > MAX_OUTPUT_CHARS:
                        raise RenderLimit(f"would build more than {MAX_OUTPUT_CHARS:,} items")
        if (
            operator == "+"
            and isinstance(left, str | list | tuple)
            and isinstance(right, str | list | tuple)
        ):
            if len(left) + len(right) > MAX_OUTPUT_CHARS:
                raise RenderLimit(f"would build more than {MAX_OUTPUT_CHARS:,} items")
        return super().call_binop(context, operator, left, right)

    def _check(self):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RenderLimit(f"took longer than {MAX_RENDER_SECONDS * 1000:.0f} ms")

    def call(self, __context, __obj, *args, **kwargs):  # noqa: N807
        self._check()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        self._check()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self._check()
        return super().getitem(obj, argument)


def _range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise RenderLimit(f"range() is limited to {MAX_RANGE} items")
    return r


def fmt_number(value, decimals=0):
    try:
        return f"{Decimal(str(value)):,.{int(decimals)}f}"
    except (InvalidOperation, ValueError, TypeError):
        return "" if value is None else str(value)


def fmt_currency(value, code="USD"):
    number = fmt_number(value, 0 if code == "JPY" else 2)
    if not number:
        return ""
    symbol = CURRENCY_SYMBOLS.get(str(code).upper())
    return f"{symbol}{number}" if symbol else f"{number} {code}"


def fmt_date(value, style="medium"):
    if not value:
        return ""
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
    url = str(url or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    clean = {k: "" if v is None or isinstance(v, Undefined) else v for k, v in params.items()}
    if not clean:
        return url
    return url + ("&" if parts.query else "?") + urlencode(clean)


def _width_capped(filter_fn, position):
    """A width-taking filter (center, indent, wordwrap…) that refuses absurd widths."""

    def capped(*args, **kwargs):
        width = args[position] if len(args) > position else next(iter(kwargs.values()), 0)
        if isinstance(width, int) and width > 1000:
            raise RenderLimit("widths are limited to 1000")
        return filter_fn(*args, **kwargs)

    return capped


def _environment():
    env = LimitedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    for name in ("center", "indent", "wordwrap", "truncate"):
        env.filters[name] = _width_capped(env.filters[name], 1)
    env.filters.pop("format", None)
    env.globals.update(
        range=_range,
        deeplink=deeplink,
        number=fmt_number,
        currency=fmt_currency,
        date=fmt_date,
    )
    env.filters.update(number=fmt_number, currency=fmt_currency, date=fmt_date)
    return env


_env = _environment()


def syntax_error(source):
    """A message naming the line of the first syntax error, or None."""
    try:
        _env.parse(source)
    except TemplateSyntaxError as exc:
        return f"line {exc.lineno}: {exc.message}"
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


def _render_source(source, context):
    _env.deadline = time.monotonic() + MAX_RENDER_SECONDS
    try:
        template = _env.from_string(source)
        out, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimit(f"produced more than {MAX_OUTPUT_CHARS:,} characters")
            _env._check()
            out.append(chunk)
        return "".join(out)
    finally:
        _env.deadline = None


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
