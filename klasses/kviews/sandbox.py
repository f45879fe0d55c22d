"""The environment KView templates run in: Jinja's sandbox, limited in time and size.

The limits hold for any template:
- time: compiled templates check the deadline on every loop iteration (items a loop's `if` skips
  included), every call, lookup and intercepted operator, and every emitted chunk;
- size: every way to build a value checks the size it would build *before* building it: `~`,
  `+ * % **`, list/tuple/dict literals, slices, string and list methods, `str.format`, the filters
  that grow strings or lists, and the buffers macros, call/filter/set blocks write into. No single
  value may pass MAX_OUTPUT_CHARS (characters, or items at any depth), and one render may build
  MAX_BUILT_CHARS in all, so a loop cannot pile up many big values either.

What a render may spend, and how sizes are counted, is in `limits`.
"""

import re
import sys
import types
from collections import Counter
from functools import update_wrapper, wraps
from inspect import signature
from pprint import pformat

from jinja2 import nodes, pass_context, pass_environment
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.filters import do_wordwrap, make_attrgetter
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter
from jinja2.utils import generate_lorem_ipsum
from markupsafe import EscapeFormatter, Markup, soft_str
from markupsafe import escape as html_escape

from klasses.kviews.limits import (
    FLAT,
    MAX_NUMBER_BITS,
    MAX_OUTPUT_CHARS,
    MAX_RANGE,
    TEXT,
    RenderLimit,
    check_items,
    check_size,
    check_text,
    check_width,
    count_built,
    measure,
    spend,
    spend_shallow,
    text_len,
    tick,
)
from klasses.kviews.readonly import mutates


def _check_replace(s, old, new, count=-1):
    try:
        found = s.count(old)
        grows = len(new) - len(old)
    except TypeError:
        return  # the call itself raises it
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    check_size(len(s) + found * grows)


def _check_joined(items, sep):
    size = text_len(sep) * max(len(items) - 1, 0)
    check_size(size)
    for item in items:
        size += text_len(item, MAX_OUTPUT_CHARS - size)
        check_size(size)


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
                check_width(int(number))
                size += int(number)
    if isinstance(args, tuple):
        if star:
            for arg in args:
                if isinstance(arg, int):
                    check_width(abs(arg))
        for arg in args:
            size += measure(arg, mode, MAX_OUTPUT_CHARS - size)
            check_size(size)
    elif isinstance(args, dict) and any(key for key, *_ in specs):
        sizes = {k: measure(v, mode) for k, v in args.items() if isinstance(k, str)}
        most = max(sizes.values(), default=0)
        for key, *_ in specs:
            if key:
                size += sizes.get(key, most)
                check_size(size)
    else:
        size += measure(args, mode) * max(len(specs), 1)
    check_size(size)


def _check_call(obj, args, kwargs):
    """Before a string, list, dict or int method that can grow a value: the size it would build.
    Returns the arguments to call with (an iterable argument is read once, here)."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", None)
    if owner is None or not isinstance(name, str):
        return args, kwargs
    if isinstance(owner, TEXT):
        if name in ("ljust", "rjust", "center", "zfill"):
            check_width(args[0] if args else kwargs.get("width"))
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            tab = "\t" if isinstance(owner, str) else b"\t"
            if isinstance(tabsize, int):
                check_size(len(owner) + owner.count(tab) * tabsize)
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(owner, Markup):
                old, new = (html_escape(v) if isinstance(v, str) else v for v in (old, new))
            _check_replace(owner, old, new, args[2] if len(args) > 2 else kwargs.get("count", -1))
        elif name == "join" and args:
            items = list(args[0])
            args = (items, *args[1:])
            _check_joined([i for i in items if isinstance(i, TEXT)], owner)
        elif name == "translate" and args:
            check_size(_translated_len(owner, args[0]))
    elif isinstance(owner, list):
        if name in ("append", "insert") and args:
            check_size(len(owner) + 1, "items")
            check_items([args[-1]])
            spend(1, "items")
        elif name == "extend" and args:
            items = list(args[0])
            args = (items, *args[1:])
            check_size(len(owner) + len(items), "items")
            check_items(items)
            spend(len(items), "items")
    elif isinstance(owner, dict | set) and name in ("update", "setdefault", "add"):
        if name == "update":
            args = tuple((dict if isinstance(owner, dict) else list)(a) for a in args)
            added = sum(map(len, args)) + len(kwargs)
        else:
            added = 1
        check_size(len(owner) + added, "items")
        check_items([*args, *kwargs.values()])
        spend(added, "items")
    elif isinstance(owner, int) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if isinstance(length, int):
            check_size(length)
    return args, kwargs


class _LimitedFormatter(SandboxedFormatter):
    """`str.format` that refuses wide fields and stops before its result passes the limit."""

    def vformat(self, format_string, args, kwargs):
        self._built = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def convert_field(self, value, conversion):
        if conversion in ("r", "a", "s"):
            check_text(value, "str" if conversion == "s" else "repr")
        return super().convert_field(value, conversion)

    def format_field(self, value, format_spec):
        widths = [int(n) for n in re.findall(r"\d+", format_spec)]
        for width in widths:
            check_width(width)
        self._built += max(widths, default=0) + text_len(value)
        check_size(self._built)
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
        check_size(self.size)
        super().append(chunk)

    def extend(self, chunks):
        for chunk in chunks:
            self.append(chunk)


@pass_context
def _tick_filter(context, value):
    """Wrapped around a loop's `if` test (pass_context: never folded at compile time)."""
    tick()
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
    if not isinstance(value, FLAT):
        check_size(measure(value, "str"))
    return value


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, plus a deadline checked on every loop iteration and whenever the template
    calls or looks something up, and a size check before anything that can build a big value
    (`'x' * 10**9`, `a ~ a` repeated, `a|replace('x', a)`)."""

    code_generator_class = LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    _check = staticmethod(tick)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, finalize=_finalize, **kwargs)

    def output_buffer(self):
        return _OutputBuffer()

    def concat(self, parts):
        parts = parts if isinstance(parts, list) else list(parts)
        spend(sum(map(len, parts)))
        return "".join(parts)

    def checked_join(self, join, parts):
        """`a ~ b ~ c`: the joined length is checked before joining."""
        self._check()
        size = 0
        for part in parts:
            size += text_len(part, MAX_OUTPUT_CHARS - size)
            check_size(size)
        return count_built(join(parts))

    def checked_value(self, value):
        return count_built(value)

    def checked_slice(self, obj, start, stop, step):
        return spend_shallow(obj[start:stop:step])

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
            if isinstance(left, TEXT) and isinstance(right, TEXT):
                check_size(len(left) + len(right))
            elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
                check_size(measure(left, "items") + measure(right, "items"), "items")
        elif operator == "%" and isinstance(left, TEXT):
            _check_percent(left, right)
        return spend_shallow(super().call_binop(context, operator, left, right))

    @staticmethod
    def _check_repeat(left, right):
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, TEXT | list | tuple) and isinstance(times, int):
                unit = "characters" if isinstance(seq, TEXT) else "items"
                check_size(len(seq) * times, unit)
                if unit == "items" and times > 0:
                    check_size(measure(seq, "items", MAX_OUTPUT_CHARS // times + 1) * times, unit)
                return
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise RenderLimit(f"numbers are limited to {MAX_NUMBER_BITS:,} bits")

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N807
        __self._check()
        args, kwargs = _check_call(__obj, args, kwargs)
        return count_built(super().call(__context, __obj, *args, **kwargs))

    def is_safe_attribute(self, obj, attr, value):
        # the data given to the template is read-only (readonly): no method that changes it
        if mutates(obj, attr):
            return False
        return super().is_safe_attribute(obj, attr, value)

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
        check_size(max(paragraphs, 0) * max(words, 0) * 13)
    return generate_lorem_ipsum(*args, **kwargs)


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
        check_text(part)
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
    check_text(value)
    check_width(width)


def _check_indent(_, s, width=4, first=False, blank=False):
    check_text(s)
    if isinstance(width, str):
        text = str(s)
        check_size(len(text) + (len(text.splitlines()) + 2) * len(width))
    else:
        check_width(width)


def _check_truncate(_, s, length=255, killwords=False, end="...", leeway=None):
    check_text(s)
    check_text(end)


def _check_wordwrap(
    environment, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True
):
    check_text(s)
    check_width(width)
    if isinstance(wrapstring, str) and len(wrapstring) > 1:
        plain = do_wordwrap(environment, s, width, break_long_words, "\n", break_on_hyphens)
        check_size(len(plain) + plain.count("\n") * (len(wrapstring) - 1))


def _check_batch(_, value, linecount, fill_with=None):
    if isinstance(linecount, int) and linecount > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"batches are limited to {MAX_OUTPUT_CHARS:,} items")


def _check_slice(_, value, slices, fill_with=None):
    if isinstance(slices, int) and slices > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"slices are limited to {MAX_OUTPUT_CHARS:,}")


def _check_tojson(_, value, indent=None):
    width = None
    if isinstance(indent, int):
        check_width(indent)
        width = max(indent, 0)
    elif isinstance(indent, str):
        check_width(len(indent))
        width = len(indent)
    check_size(measure(value, "json", indent=width))


def _check_urlize(
    _, value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None
):
    check_text(value)
    text = str(value)
    per_link = text_len(target or "") + text_len(rel or "") + 64
    check_size(
        len(text) + sum(len(w) + per_link for w in text.split() if any(c in w for c in ".@:"))
    )


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
        tick()
        if stringifies and len(args) > offset:
            check_text(args[offset])
        if check is not None:
            value = check(args[0] if offset else None, *args[offset:], **kwargs)
            if value is not None:
                args = (*args[:offset], value, *args[offset + 1 :])
        return count_built(fn(*args, **kwargs))

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
        check_size(len(rv) + len(value), "items")
        rv.extend(value)
    return type(start)(rv)


def _pprint(value):
    """pprint on one line: a multi-line pformat indents every element as deep as it nests."""
    check_text(value, "repr")
    return pformat(value, width=sys.maxsize)


def limited_environment(*, filters, functions):
    """A LimitedEnvironment whose filters (Jinja's and `filters`) all check what they build, with
    `functions` as globals beside the limited `range` and `lipsum`."""
    env = LimitedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    # Its `%` runs inside the filter, where call_binop cannot check the size it builds.
    env.filters.pop("format", None)
    env.filters.update(sum=_sum, pprint=_pprint, **filters)
    for name, fn in list(env.filters.items()):
        env.filters[name] = _limited_filter(name, fn)
    env.filters[TICK_FILTER] = _tick_filter
    env.globals.update(range=_range, lipsum=_lipsum, **functions)
    return env


def limited_output(chunks):
    """The text of a render's chunks, stopping once it passes MAX_OUTPUT_CHARS or the deadline;
    `chunks` is closed either way, so a template's own cleanup runs inside the budget."""
    try:
        out, size = [], 0
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimit(f"produced more than {MAX_OUTPUT_CHARS:,} characters")
            tick()
            out.append(chunk)
        return "".join(out)
    finally:
        chunks.close()
