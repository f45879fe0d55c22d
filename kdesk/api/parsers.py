"""The API's JSON parser: DRF's, plus two refusals that would otherwise end in a 500.

- JSON nested deeper than `MAX_DEPTH` levels (`[` × 1200 makes `json` raise RecursionError, and
  even a body that parses would make every later walk over it recurse as deep);
- strings (keys or values) holding a lone UTF-16 surrogate (`"\\ud800"`): `json` accepts the
  escape, but the text cannot be encoded as UTF-8, so saving or rendering it fails later.

Both are a `ParseError`, which the exception handler turns into a 400 in API.md's error shape.

A body that is valid JSON but holds NUL characters (`"\\u0000"`) is a validation error naming
every field that holds one (`/name`, `/emails/0/email`): PostgreSQL cannot store NUL.
"""

import codecs
import json
import math
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

from kdesk.errors import FieldError, ValidationFailed
from kdesk.text import nul_detail, nul_pointers

# Search criteria nest 8 groups (16 levels), Tree attributes 6 nodes: 64 is far above any
# legitimate body and far below the interpreter's recursion limit.
MAX_DEPTH = 64

# A surrogate can only come from a `\uD800`–`\uDFFF` escape: decoded UTF-8 never holds one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _first_problem(data, check_strings):
    """Walk containers without recursion: the depth limit, then (only when the raw text holds a
    surrogate escape at all) every key and string."""
    if _too_deep(data):
        return f"it nests deeper than {MAX_DEPTH} levels."
    if not check_strings:
        return None
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _lone_surrogate(key):
                    return "a key holds a lone UTF-16 surrogate (\\ud800–\\udfff), not a character."
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and _lone_surrogate(value):
            return "a string holds a lone UTF-16 surrogate (\\ud800–\\udfff), not a character."
    return None


def _too_deep(data):
    """Level by level, only containers: a thousand-item bulk body is walked in a few list
    comprehensions rather than one step per value."""
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return True
        level = [
            item
            for value in level
            for item in (value.values() if isinstance(value, dict) else value)
            if isinstance(item, (dict, list))
        ]
        depth += 1
    return False


def _lone_surrogate(text):
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strict_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def parse_json_text(text):
    """`json.loads` (strict, as DRF's parser is) with the refusals above; raises ParseError."""
    try:
        data = json.loads(text, parse_constant=_strict_constant, parse_float=_finite_float)
    except RecursionError:
        raise ParseError(f"JSON parse error - it nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
    problem = _first_problem(data, check_strings=bool(_SURROGATE_ESCAPE.search(text)))
    if problem:
        raise ParseError(f"JSON parse error - {problem}")
    return data


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # bytes that are not text in that encoding
            raise ParseError(f"JSON parse error - {exc}") from None
        data = parse_json_text(text)
        # Strict JSON holds a NUL only as an escape; without one the walk is skipped.
        if "\\u0000" in text:
            refuse_nul(data)
        return data


def refuse_nul(data):
    pointers = nul_pointers(data)
    if pointers:
        raise ValidationFailed(
            [FieldError(p, "nul_character", nul_detail(_label(p))) for p in pointers]
        )


def _label(pointer):
    if not pointer:
        return "The body"
    return f"The value at {pointer}"
