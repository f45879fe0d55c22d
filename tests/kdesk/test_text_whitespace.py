"""The document's "not blank" pattern names exactly what the services strip (str.strip), read
alike by Python's re and by a JSON Schema validator (ECMA-262 semantics, as clients read it)."""

import re
import sys

import jsonschema_rs

from kdesk.text import NOT_BLANK_PATTERN, SPACE_PATTERN, WHITESPACE_RANGES


def _listed(code):
    return any(low <= code <= high for low, high in WHITESPACE_RANGES)


def test_the_ranges_are_what_str_strip_removes():
    differ = [hex(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() != _listed(c)]
    assert differ == []


def test_a_json_schema_validator_reads_the_patterns_as_python_does():
    not_blank = jsonschema_rs.validator_for({"type": "string", "pattern": NOT_BLANK_PATTERN})
    space = jsonschema_rs.validator_for({"type": "string", "pattern": f"^{SPACE_PATTERN}+$"})
    whitespace = [chr(c) for low, high in WHITESPACE_RANGES for c in range(low, high + 1)]
    # ECMA-262's \s has U+FEFF and lacks U+001C..U+001F and U+0085: str.strip keeps U+FEFF
    others = ["a", "\ufeff", "\u200b", "\u180e", "\x1b", "\x7f", "\U0001f600"]
    for char in whitespace:
        assert not not_blank.is_valid(char * 3), hex(ord(char))
        assert space.is_valid(char), hex(ord(char))
        assert not re.search(NOT_BLANK_PATTERN, char)
    for char in others:
        assert not_blank.is_valid(f" {char} "), hex(ord(char))
        assert not space.is_valid(char), hex(ord(char))
        assert re.search(NOT_BLANK_PATTERN, char) and char.strip()
