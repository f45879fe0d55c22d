"""What one KView render may spend: processor time, and the size of what it builds.

The time limit counts the rendering thread's own CPU time (time.thread_time), so a busy machine
(other processes, or other threads holding the GIL) does not cut a render short that would fit on
an idle one; a much longer wall-clock backstop still ends a render that is not running at all.
The budget lives in a ContextVar, so a render in another thread or task keeps its own deadline.
A size is counted before the value is built, and only until it passes the limit, so refusing a
huge value costs about as much as counting to MAX_OUTPUT_CHARS, never as much as building it.
"""

import json
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jinja2.utils import Namespace
from markupsafe import Markup

MAX_RENDER_SECONDS = 0.2  # of the rendering thread's CPU time
MAX_RENDER_WALL_SECONDS = 5.0
MAX_OUTPUT_CHARS = 50_000
MAX_SOURCE_CHARS = 50_000  # as klasses.services.kviews accepts; compiling cannot be interrupted
MAX_BUILT_CHARS = 20 * MAX_OUTPUT_CHARS
MAX_RANGE = 1000
MAX_WIDTH = 1000
MAX_NUMBER_BITS = 50_000
MAX_DEPTH = 100


class RenderLimit(Exception):  # noqa: N818
    pass


# Looked up at each call, so a test can drive the limit with clocks of its own.
_wall = time.monotonic
_cpu = time.thread_time


@dataclass(slots=True)
class _Budget:
    wall_start: float
    cpu_start: float
    # Reading the thread's CPU clock is a system call, and tick() runs in every loop: a thread
    # spends at most as much CPU as wall time, so the CPU clock is read only once the wall clock
    # passes the earliest moment the CPU budget could be spent.
    next_cpu_check: float
    built: int = 0


# The budget of the render running in this thread (or task); None outside a render.
_budget = ContextVar("kview_budget", default=None)


def tick():
    budget = _budget.get()
    if budget is None:
        return
    now = _wall()
    if now < budget.next_cpu_check:
        return
    if now - budget.wall_start > MAX_RENDER_WALL_SECONDS:
        raise RenderLimit(f"took longer than {MAX_RENDER_WALL_SECONDS:.0f} s")
    left = MAX_RENDER_SECONDS - (_cpu() - budget.cpu_start)
    if left <= 0:
        raise RenderLimit(f"took longer than {MAX_RENDER_SECONDS * 1000:.0f} ms")
    backstop = budget.wall_start + MAX_RENDER_WALL_SECONDS
    budget.next_cpu_check = min(now + left, backstop)


def check_size(size, unit="characters"):
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"would build more than {MAX_OUTPUT_CHARS:,} {unit}")


def check_width(width):
    if isinstance(width, int) and width > MAX_WIDTH:
        raise RenderLimit(f"widths are limited to {MAX_WIDTH}")


def spend(size, unit="characters"):
    """Count a value this render built (kept or not) against its total."""
    check_size(size, unit)
    budget = _budget.get()
    if budget is not None:
        budget.built += size
        if budget.built > MAX_BUILT_CHARS:
            raise RenderLimit(f"built more than {MAX_BUILT_CHARS:,} characters and items in all")


@contextmanager
def render_budget():
    """The time and size budget of one render, for the code run inside the `with`."""
    now = _wall()
    token = _budget.set(_Budget(now, _cpu(), now + MAX_RENDER_SECONDS))
    try:
        yield
    finally:
        _budget.reset(token)


TEXT = str | bytes | bytearray
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
    if isinstance(value, TEXT):
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


def measure(value, mode, limit=MAX_OUTPUT_CHARS, indent=None):
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


FLAT = str | int | float | type(None)


def check_text(value, mode="str"):
    """Before str() (or repr/tojson) of a value: a list may hold the same big string many times."""
    if not isinstance(value, FLAT):
        check_size(measure(value, mode))


def text_len(value, limit=MAX_OUTPUT_CHARS):
    return len(value) if isinstance(value, str) else measure(value, "str", limit)


def check_items(value):
    check_size(measure(value, "items"), "items")


def count_built(value):
    """A value a filter, call or operator returned: small enough, and counted."""
    if isinstance(value, TEXT):
        spend(len(value))
    elif isinstance(value, _CONTAINERS):
        check_items(value)
        spend(_shallow_len(value), "items")
    return value


def spend_shallow(value):
    if isinstance(value, TEXT):
        spend(len(value))
    elif isinstance(value, list | tuple):
        spend(len(value), "items")
    return value
