"""KView rendering: admin-written Jinja2 templates in a sandbox, with limits.

Templates run in a SandboxedEnvironment with autoescaping; a render gets a time budget and an
output budget, `range` is capped, and the output is sanitised with nh3 (links open in a new tab
with rel=noopener, only http/https/mailto URLs survive). A failing template never breaks the page:
`render` returns a result whose error agents see as "card unavailable" and admins see with its
line number.

The limits hold for any template:
- time: compiled templates check the deadline on every loop iteration (items a loop's `if` skips
  included), every call, lookup and intercepted operator, and every emitted chunk;
- size: every way to build a value checks the size it would build *before* building it: `~`,
  `+ * % **`, list/tuple/dict literals, slices, string and list methods, `str.format`, the filters
  that grow strings or lists, and the buffers macros, call/filter/set blocks write into. No single
  value may pass MAX_OUTPUT_CHARS (characters, or items at any depth), and one render may build
  MAX_BUILT_CHARS in all, so a loop cannot pile up many big values either.
"""

import json
import re
import sys
import time
import traceback
import types
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache, update_wrapper, wraps
from inspect import signature
from pprint import pformat
from urllib.parse import urlencode, urlsplit

import nh3
from django.conf import settings
from django.utils.html import escape
from jinja2 import (
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    nodes,
    pass_context,
    pass_environment,
)
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.filters import do_wordwrap, make_attrgetter
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter, SecurityError
from jinja2.utils import Namespace, generate_lorem_ipsum
from markupsafe import EscapeFormatter, Markup, soft_str
from markupsafe import escape as html_escape

MAX_RENDER_SECONDS = 0.2
MAX_OUTPUT_CHARS = 50_000
MAX_SOURCE_CHARS = 50_000  # as klasses.services accepts; compiling cannot be interrupted
MAX_BUILT_CHARS = 20 * MAX_OUTPUT_CHARS
MAX_RANGE = 1000
MAX_WIDTH = 1000
MAX_NUMBER_BITS = 50_000
MAX_DEPTH = 100
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


@dataclass(slots=True)
class _Budget:
    deadline: float
    built: int = 0


# The budget of the render running in this thread (or task); None outside a render.
_budget = ContextVar("kview_budget", default=None)


def _tick(monotonic=time.monotonic):
    budget = _budget.get()
    if budget is not None and monotonic() > budget.deadline:
        raise RenderLimit(f"took longer than {MAX_RENDER_SECONDS * 1000:.0f} ms")


def _limit(size, unit="characters"):
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"would build more than {MAX_OUTPUT_CHARS:,} {unit}")


def _check_width(width):
    if isinstance(width, int) and width > MAX_WIDTH:
        raise RenderLimit(f"widths are limited to {MAX_WIDTH}")


def _spend(size, unit="characters"):
    """Count a value this render built (kept or not) against its total."""
    _limit(size, unit)
    budget = _budget.get()
    if budget is not None:
        budget.built += size
        if budget.built > MAX_BUILT_CHARS:
            raise RenderLimit(f"built more than {MAX_BUILT_CHARS:,} characters and items in all")


_TEXT = str | bytes | bytearray
_VIEWS = type({}.keys()) | type({}.values()) | type({}.items())
_CONTAINERS = (list, tuple, dict, set, frozenset, Namespace)
_PLAIN = {str, int, float, bool, type(None)}  # one item each (long ones a little more)


def _attrs(namespace):
    return object.__getattribute__(namespace, "_Namespace__attrs")


def _shallow_len(value):
    return len(_attrs(value)) if isinstance(value, Namespace) else len(value)


def _repr_len(s):
    if s.isprintable():
        return len(s) + 2 + s.count("\\") + s.count("'") + (8 if isinstance(s, Markup) else 0)
    return len(repr(s))


def _json_len(s):
    html = 5 * (s.count("<") + s.count(">") + s.count("&") + s.count("'"))
    if s.isascii() and s.isprintable():
        return len(s) + 2 + s.count('"') + s.count("\\") + html
    return len(json.dumps(s)) + html


def _leaf_size(value, mode, top):
    if isinstance(value, _TEXT):
        if mode == "items":
            return 1 + len(value) // 256
        if not isinstance(value, str):
            return 4 * len(value) + 3
        if mode == "json":
            return _json_len(value)
        return len(value) if top and mode == "str" else _repr_len(value)
    big_int = isinstance(value, int) and value.bit_length() > 64
    if mode == "items":
        return 1 + (value.bit_length() // 2048 if big_int else 0)
    if big_int:
        return value.bit_length() * 31 // 100 + 2
    try:
        return len(str(value) if top and mode == "str" else repr(value))
    except Exception:  # noqa: BLE001 - the real conversion will raise it
        return 0


def _size(value, mode, limit=MAX_OUTPUT_CHARS, indent=None):
    """How big `value` is, counted only until it passes `limit`, so this costs at most about
    `limit` steps however often a value repeats itself inside another. mode "items": elements at
    any depth (a long string counts a little more); "str", "repr", "json": characters of str(),
    repr() or tojson (with `indent`)."""
    total = 0
    path = set()

    def visit(v, top, depth):
        nonlocal total
        if total > limit:
            return
        if isinstance(v, dict | Namespace):
            pairs = (v if isinstance(v, dict) else _attrs(v)).items()
        elif isinstance(v, list | tuple | set | frozenset | _VIEWS):
            pairs = None
        else:
            total += _leaf_size(v, mode, top)
            return
        if id(v) in path:
            total += 5  # [...]
            return
        if depth >= MAX_DEPTH:
            raise RenderLimit(f"values may nest at most {MAX_DEPTH} levels")
        path.add(id(v))
        if mode == "items":
            total += 0 if top else 1
        else:
            total += 2 if type(v) in (list, tuple, dict) else 64
        for item in v if pairs is None else pairs:
            for part in item if pairs is not None else (item,):
                kind = type(part)
                if mode != "items" or kind not in _PLAIN:
                    visit(part, False, depth + 1)
                elif kind is str:
                    total += 1 + len(part) // 256
                else:
                    total += 1 + (part.bit_length() // 2048 if kind is int else 0)
            if mode != "items":
                total += 2 if pairs is None else 4
                if indent is not None:
                    total += 1 + (depth + 1) * indent
            if total > limit:
                break
        path.discard(id(v))

    visit(value, True, 0)
    return total


_FLAT = str | int | float | type(None)


def _check_text(value, mode="str"):
    """Before str() (or repr/tojson) of a value: a list may hold the same big string many times."""
    if not isinstance(value, _FLAT):
        _limit(_size(value, mode))


def _text_len(value, limit=MAX_OUTPUT_CHARS):
    return len(value) if isinstance(value, str) else _size(value, "str", limit)


def _check_items(value):
    _limit(_size(value, "items"), "items")


def _built(value):
    """A value a filter, call or operator returned: small enough, and counted."""
    if isinstance(value, _TEXT):
        _spend(len(value))
    elif isinstance(value, _CONTAINERS):
        _check_items(value)
        _spend(_shallow_len(value), "items")
    return value


def _spend_shallow(value):
    if isinstance(value, _TEXT):
        _spend(len(value))
    elif isinstance(value, list | tuple):
        _spend(len(value), "items")
    return value


def _check_replace(s, old, new, count=-1):
    try:
        found = s.count(old)
        grows = len(new) - len(old)
    except TypeError:
        return  # the call itself raises it
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _limit(len(s) + found * grows)


def _check_joined(items, sep):
    size = _text_len(sep) * max(len(items) - 1, 0)
    _limit(size)
    for item in items:
        size += _text_len(item, MAX_OUTPUT_CHARS - size)
        _limit(size)


def _translated_len(s, table):
    if not isinstance(s, str):
        return len(s)
    total = 0
    for char, count in Counter(s).items():
        try:
            mapped = table[ord(char)]
        except (LookupError, TypeError):
            mapped = char
        total += count * (len(mapped) if isinstance(mapped, str) else mapped is not None)
    return total


_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)


def _check_percent(fmt, args):
    """`fmt % args`: widths, precisions and the arguments (each as often as it is used)."""
    text = fmt if isinstance(fmt, str) else fmt.decode("latin-1")
    specs = _PERCENT_SPEC.findall(text)
    size = len(text)
    mode = "repr" if any(conv in "ra" for *_, conv in specs) else "str"
    star = False
    for _key, width, precision, _conv in specs:
        for number in (width, precision):
            star = star or number == "*"
            if number.isdigit():
                _check_width(int(number))
                size += int(number)
    if isinstance(args, tuple):
        if star:
            for arg in args:
                if isinstance(arg, int):
                    _check_width(abs(arg))
        for arg in args:
            size += _size(arg, mode, MAX_OUTPUT_CHARS - size)
            _limit(size)
    elif isinstance(args, dict) and any(key for key, *_ in specs):
        sizes = {k: _size(v, mode) for k, v in args.items() if isinstance(k, str)}
        most = max(sizes.values(), default=0)
        for key, *_ in specs:
            if key:
                size += sizes.get(key, most)
                _limit(size)
    else:
        size += _size(args, mode) * max(len(specs), 1)
    _limit(size)


def _check_call(obj, args, kwargs):
    """Before a string, list, dict or int method that can grow a value: the size it would build.
    Returns the arguments to call with (an iterable argument is read once, here)."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", None)
    if owner is None or not isinstance(name, str):
        return args, kwargs
    if isinstance(owner, _TEXT):
        if name in ("ljust", "rjust", "center", "zfill"):
            _check_width(args[0] if args else kwargs.get("width"))
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            tab = "\t" if isinstance(owner, str) else b"\t"
            if isinstance(tabsize, int):
                _limit(len(owner) + owner.count(tab) * tabsize)
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(owner, Markup):
                old, new = (html_escape(v) if isinstance(v, str) else v for v in (old, new))
            _check_replace(owner, old, new, args[2] if len(args) > 2 else kwargs.get("count", -1))
        elif name == "join" and args:
            items = list(args[0])
            args = (items, *args[1:])
            _check_joined([i for i in items if isinstance(i, _TEXT)], owner)
        elif name == "translate" and args:
            _limit(_translated_len(owner, args[0]))
    elif isinstance(owner, list):
        if name in ("append", "insert") and args:
            _limit(len(owner) + 1, "items")
            _check_items([args[-1]])
            _spend(1, "items")
        elif name == "extend" and args:
            items = list(args[0])
            args = (items, *args[1:])
            _limit(len(owner) + len(items), "items")
            _check_items(items)
            _spend(len(items), "items")
    elif isinstance(owner, dict | set) and name in ("update", "setdefault", "add"):
        if name == "update":
            args = tuple((dict if isinstance(owner, dict) else list)(a) for a in args)
            added = sum(map(len, args)) + len(kwargs)
        else:
            added = 1
        _limit(len(owner) + added, "items")
        _check_items([*args, *kwargs.values()])
        _spend(added, "items")
    elif isinstance(owner, int) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if isinstance(length, int):
            _limit(length)
    return args, kwargs


class _LimitedFormatter(SandboxedFormatter):
    """`str.format` that refuses wide fields and stops before its result passes the limit."""

    def vformat(self, format_string, args, kwargs):
        self._built = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def convert_field(self, value, conversion):
        if conversion in ("r", "a", "s"):
            _check_text(value, "str" if conversion == "s" else "repr")
        return super().convert_field(value, conversion)

    def format_field(self, value, format_spec):
        widths = [int(n) for n in re.findall(r"\d+", format_spec)]
        for width in widths:
            _check_width(width)
        self._built += max(widths, default=0) + _text_len(value)
        _limit(self._built)
        return super().format_field(value, format_spec)


class _LimitedEscapeFormatter(_LimitedFormatter, EscapeFormatter):
    pass


class _OutputBuffer(list):
    """Where macros and call, filter and set blocks collect their output: it stops at the limit."""

    __slots__ = ("size",)

    def __init__(self):
        super().__init__()
        self.size = 0

    def append(self, chunk):
        self.size += len(chunk)
        _limit(self.size)
        super().append(chunk)

    def extend(self, chunks):
        for chunk in chunks:
            self.append(chunk)


@pass_context
def _tick_filter(context, value):
    """Wrapped around a loop's `if` test (pass_context: never folded at compile time)."""
    _tick()
    return value


TICK_FILTER = "_kview_tick"


class LimitedCodeGenerator(CodeGenerator):
    """Compiled templates check the deadline on every loop iteration, route `~`, literals and
    slices through the environment's size checks, and buffer into an `_OutputBuffer`."""

    def visit_Template(self, node, frame=None):
        for loop in node.find_all(nodes.For):
            if loop.test is not None:
                loop.test = nodes.Filter(
                    loop.test, TICK_FILTER, [], [], None, None, lineno=loop.test.lineno
                ).set_environment(self.environment)
        super().visit_Template(node, frame)

    def enter_frame(self, frame):
        super().enter_frame(frame)
        if frame.loop_frame:
            self.writeline("environment._check()")

    def buffer(self, frame):
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    @optimizeconst
    def visit_Concat(self, node, frame):
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.checked_join({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def _checked_literal(self, visit, node, frame):
        self.write("environment.checked_value(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node, frame):
        self._checked_literal(super().visit_List, node, frame)

    def visit_Dict(self, node, frame):
        self._checked_literal(super().visit_Dict, node, frame)

    def visit_Tuple(self, node, frame):
        if node.ctx != "load":
            return super().visit_Tuple(node, frame)
        self._checked_literal(super().visit_Tuple, node, frame)

    def visit_Getitem(self, node, frame):
        if not isinstance(node.arg, nodes.Slice):
            return super().visit_Getitem(node, frame)
        self.write("environment.checked_slice(")
        self.visit(node.node, frame)
        for part in (node.arg.start, node.arg.stop, node.arg.step):
            self.write(", ")
            if part is None:
                self.write("None")
            else:
                self.visit(part, frame)
        self.write(")")


def _finalize(value):
    """Every `{{ value }}`: a value that is not a string is checked before str()."""
    if not isinstance(value, _FLAT):
        _limit(_size(value, "str"))
    return value


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, plus a deadline checked on every loop iteration and whenever the template
    calls or looks something up, and a size check before anything that can build a big value
    (`'x' * 10**9`, `a ~ a` repeated, `a|replace('x', a)`)."""

    code_generator_class = LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    _check = staticmethod(_tick)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, finalize=_finalize, **kwargs)

    def output_buffer(self):
        return _OutputBuffer()

    def concat(self, parts):
        parts = parts if isinstance(parts, list) else list(parts)
        _spend(sum(map(len, parts)))
        return "".join(parts)

    def checked_join(self, join, parts):
        """`a ~ b ~ c`: the joined length is checked before joining."""
        self._check()
        size = 0
        for part in parts:
            size += _text_len(part, MAX_OUTPUT_CHARS - size)
            _limit(size)
        return _built(join(parts))

    def checked_value(self, value):
        return _built(value)

    def checked_slice(self, obj, start, stop, step):
        return _spend_shallow(obj[start:stop:step])

    def call_binop(self, context, operator, left, right):
        self._check()
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise RenderLimit("exponents are limited to 64")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                if left.bit_length() * right > MAX_NUMBER_BITS:
                    raise RenderLimit(f"numbers are limited to {MAX_NUMBER_BITS:,} bits")
        elif operator == "*":
            self._check_repeat(left, right)
        elif operator == "+":
            if isinstance(left, _TEXT) and isinstance(right, _TEXT):
                _limit(len(left) + len(right))
            elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
                _limit(_size(left, "items") + _size(right, "items"), "items")
        elif operator == "%" and isinstance(left, _TEXT):
            _check_percent(left, right)
        return _spend_shallow(super().call_binop(context, operator, left, right))

    @staticmethod
    def _check_repeat(left, right):
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _TEXT | list | tuple) and isinstance(times, int):
                unit = "characters" if isinstance(seq, _TEXT) else "items"
                _limit(len(seq) * times, unit)
                if unit == "items" and times > 0:
                    _limit(_size(seq, "items", MAX_OUTPUT_CHARS // times + 1) * times, unit)
                return
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise RenderLimit(f"numbers are limited to {MAX_NUMBER_BITS:,} bits")

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N807
        __self._check()
        args, kwargs = _check_call(__obj, args, kwargs)
        return _built(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj, attribute):
        self._check()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self._check()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value):
        """As the sandbox's, with a formatter that checks widths and the size it builds."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        f_self = value.__self__
        if not isinstance(f_self, str):
            return None
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args, **kwargs):
            if is_format_map:
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                kwargs, args = args[0], ()
            if isinstance(f_self, Markup):
                formatter = _LimitedEscapeFormatter(self, escape=f_self.escape)
            else:
                formatter = _LimitedFormatter(self)
            return type(f_self)(formatter.vformat(f_self, args, kwargs))

        return update_wrapper(wrapper, value)


def _range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise RenderLimit(f"range() is limited to {MAX_RANGE} items")
    return r


_LIPSUM = signature(generate_lorem_ipsum)


def _lipsum(*args, **kwargs):
    bound = _LIPSUM.bind(*args, **kwargs)
    bound.apply_defaults()
    paragraphs, words = bound.arguments["n"], bound.arguments["max"]
    if isinstance(paragraphs, int) and isinstance(words, int):
        _limit(max(paragraphs, 0) * max(words, 0) * 13)
    return generate_lorem_ipsum(*args, **kwargs)


def fmt_number(value, decimals=0):
    _check_text(value)
    try:
        places = int(decimals)
        number = Decimal(str(value))
        if number.is_finite() and max(number.adjusted(), 0) + places > MAX_WIDTH:
            raise RenderLimit(f"numbers are limited to {MAX_WIDTH} digits")
        return f"{number:,.{places}f}"
    except (InvalidOperation, ValueError, TypeError):
        return "" if value is None else str(value)


def fmt_currency(value, code="USD"):
    _check_text(code)
    number = fmt_number(value, 0 if code == "JPY" else 2)
    if not number:
        return ""
    symbol = CURRENCY_SYMBOLS.get(str(code).upper())
    return f"{symbol}{number}" if symbol else f"{number} {code}"


def fmt_date(value, style="medium"):
    if not value:
        return ""
    _check_text(value)
    _check_text(style)
    _limit(20 * len(str(style)))  # strftime: "%c" is 2 characters, its date 24
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
    _check_text(url)
    _limit(sum(_text_len(v) for v in params.values()))
    url = str(url or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    clean = {k: "" if v is None or isinstance(v, Undefined) else v for k, v in params.items()}
    if not clean:
        return url
    return url + ("&" if parts.query else "?") + urlencode(clean)


# Filters that turn their value into a string: a list holding one big string many times is
# checked first.
STRINGIFYING_FILTERS = {
    "capitalize",
    "e",
    "escape",
    "forceescape",
    "lower",
    "safe",
    "string",
    "striptags",
    "title",
    "trim",
    "upper",
    "urlencode",
    "wordcount",
    "xmlattr",
}


def _check_replace_filter(eval_ctx, s, old, new, count=None):
    for part in (s, old, new):
        _check_text(part)
    if not eval_ctx.autoescape:
        s, old, new = str(s), str(old), str(new)
    else:
        if hasattr(old, "__html__") or (hasattr(new, "__html__") and not hasattr(s, "__html__")):
            s = html_escape(s)
        else:
            s = soft_str(s)
        old, new = soft_str(old), soft_str(new)
        if isinstance(s, Markup):
            old, new = html_escape(old), html_escape(new)
    _check_replace(s, old, new, -1 if count is None else count)


def _check_join_filter(eval_ctx, value, d="", attribute=None):
    items = list(value)
    shown = items
    if attribute is not None:
        shown = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    _check_joined(shown, d)
    return items


def _check_center(_, value, width=80):
    _check_text(value)
    _check_width(width)


def _check_indent(_, s, width=4, first=False, blank=False):
    _check_text(s)
    if isinstance(width, str):
        text = str(s)
        _limit(len(text) + (len(text.splitlines()) + 2) * len(width))
    else:
        _check_width(width)


def _check_truncate(_, s, length=255, killwords=False, end="...", leeway=None):
    _check_text(s)
    _check_text(end)


def _check_wordwrap(
    environment, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True
):
    _check_text(s)
    _check_width(width)
    if isinstance(wrapstring, str) and len(wrapstring) > 1:
        plain = do_wordwrap(environment, s, width, break_long_words, "\n", break_on_hyphens)
        _limit(len(plain) + plain.count("\n") * (len(wrapstring) - 1))


def _check_batch(_, value, linecount, fill_with=None):
    if isinstance(linecount, int) and linecount > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"batches are limited to {MAX_OUTPUT_CHARS:,} items")


def _check_slice(_, value, slices, fill_with=None):
    if isinstance(slices, int) and slices > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"slices are limited to {MAX_OUTPUT_CHARS:,}")


def _check_tojson(_, value, indent=None):
    width = None
    if isinstance(indent, int):
        _check_width(indent)
        width = max(indent, 0)
    elif isinstance(indent, str):
        _check_width(len(indent))
        width = len(indent)
    _limit(_size(value, "json", indent=width))


def _check_urlize(
    _, value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None
):
    _check_text(value)
    text = str(value)
    per_link = _text_len(target or "") + _text_len(rel or "") + 64
    _limit(len(text) + sum(len(w) + per_link for w in text.split() if any(c in w for c in ".@:")))


FILTER_CHECKS = {
    "batch": _check_batch,
    "center": _check_center,
    "indent": _check_indent,
    "join": _check_join_filter,
    "replace": _check_replace_filter,
    "slice": _check_slice,
    "tojson": _check_tojson,
    "truncate": _check_truncate,
    "urlize": _check_urlize,
    "wordwrap": _check_wordwrap,
}


def _limited_filter(name, fn):
    """`fn`, first checking what it would build (FILTER_CHECKS, which see the pass-through
    context/environment argument or None, and may hand back the value read once), then counting
    what it built."""
    offset = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0
    check = FILTER_CHECKS.get(name)
    stringifies = name in STRINGIFYING_FILTERS

    @wraps(fn)
    def limited(*args, **kwargs):
        _tick()
        if stringifies and len(args) > offset:
            _check_text(args[offset])
        if check is not None:
            value = check(args[0] if offset else None, *args[offset:], **kwargs)
            if value is not None:
                args = (*args[:offset], value, *args[offset + 1 :])
        return _built(fn(*args, **kwargs))

    return limited


@pass_environment
def _sum(environment, iterable, attribute=None, start=0):
    """`sum` that joins lists in one pass (builtin sum copies them again at every step)."""
    values = list(iterable)
    if attribute is not None:
        values = list(map(make_attrgetter(environment, attribute), values))
    if not isinstance(start, list | tuple):
        return sum(values, start)
    rv = list(start)
    for value in values:
        if not isinstance(value, type(start)):
            raise TypeError(
                f'can only concatenate {type(start).__name__} (not "{type(value).__name__}")'
            )
        _limit(len(rv) + len(value), "items")
        rv.extend(value)
    return type(start)(rv)


def _pprint(value):
    """pprint on one line: a multi-line pformat indents every element as deep as it nests."""
    _check_text(value, "repr")
    return pformat(value, width=sys.maxsize)


def _environment():
    env = LimitedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.pop("format", None)
    env.filters.update(sum=_sum, pprint=_pprint, number=fmt_number, currency=fmt_currency)
    env.filters["date"] = fmt_date
    for name, fn in list(env.filters.items()):
        env.filters[name] = _limited_filter(name, fn)
    env.filters[TICK_FILTER] = _tick_filter
    env.globals.update(
        range=_range,
        lipsum=_lipsum,
        deeplink=deeplink,
        number=fmt_number,
        currency=fmt_currency,
        date=fmt_date,
    )
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


@lru_cache(maxsize=128)
def _compile(source):
    """Compiled once per source and process: compiling costs more than most renders."""
    return _env.from_string(source)


def _render_source(source, context):
    if len(source) > MAX_SOURCE_CHARS:
        raise RenderLimit(f"templates are limited to {MAX_SOURCE_CHARS:,} characters")
    token = _budget.set(_Budget(time.monotonic() + MAX_RENDER_SECONDS))
    chunks = None
    try:
        template = _compile(source)
        out, size = [], 0
        chunks = template.generate(**context)
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimit(f"produced more than {MAX_OUTPUT_CHARS:,} characters")
            _tick()
            out.append(chunk)
        return "".join(out)
    finally:
        if chunks is not None:
            chunks.close()
        _budget.reset(token)


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
