"""Step params are templates: `"{{ data.order.total }}"` (exactly one expression) keeps the
expression's type; anything else renders to a string. Rendered in the KView sandbox, within
its time and size budget, over a read-only copy of the run's context."""

import re
from functools import lru_cache

from jinja2 import TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, TemplateError

from workflows.sandbox import RenderLimit, environment, limited_output, read_only, render_budget

_ONE_EXPRESSION = re.compile(r"^\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|%\}).)*)\}\}$", re.S)
MAX_TEMPLATE_CHARS = 10_000


class TemplateProblem(Exception):
    """A param that cannot be rendered; the message names the param."""


@lru_cache(maxsize=1024)
def _expression(text):
    match = _ONE_EXPRESSION.match(text.strip())
    return match.group("expr").strip() if match else None


@lru_cache(maxsize=512)
def _compiled_expression(expr):
    return environment().compile_expression(expr, undefined_to_none=True)


@lru_cache(maxsize=512)
def _compiled_template(text):
    return environment().from_string(text)


def syntax_problem(text):
    """Why this param is not a valid template, or None (for validating a workflow)."""
    if not isinstance(text, str) or ("{{" not in text and "{%" not in text):
        return None
    if len(text) > MAX_TEMPLATE_CHARS:
        return f"A template is limited to {MAX_TEMPLATE_CHARS:,} characters."
    try:
        expr = _expression(text)
        if expr is not None:
            _compiled_expression(expr)
        else:
            environment().parse(text)
    except TemplateSyntaxError as exc:
        return f"Template syntax error: {exc.message}"
    except (RecursionError, MemoryError):
        return "The template nests too deeply."
    return None


def plain(value):
    """A JSON-ready copy: read-only containers back to dicts and lists, Undefined to None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Undefined):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _render_text(text, context):
    if "{{" not in text and "{%" not in text:
        return text
    expr = _expression(text)
    if expr is not None:
        return plain(_compiled_expression(expr)(**context))
    return limited_output(_compiled_template(text).generate(**context))


def _walk(value, context, pointer):
    if isinstance(value, str):
        try:
            return _render_text(value, context)
        except (TemplateError, SecurityError, RenderLimit) as exc:
            raise TemplateProblem(f"{pointer or '/'}: {type(exc).__name__}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - a template's own error (1/0, a bad filter arg)
            raise TemplateProblem(f"{pointer or '/'}: {type(exc).__name__}: {exc}") from None
    if isinstance(value, dict):
        return {k: _walk(v, context, f"{pointer}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, context, f"{pointer}/{i}") for i, v in enumerate(value)]
    return value


def render_params(params, context):
    """The params with every template rendered against `context` (the trigger payload's keys,
    `steps`, `workflow`, `run`). Raises TemplateProblem naming the param at fault."""
    frozen = read_only(context)
    with render_budget():
        return _walk(params, frozen, "")
