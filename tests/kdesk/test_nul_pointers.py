"""Wherever a NUL hides in a JSON body, the API names exactly the places that hold one: every
pointer resolves (RFC 6901) to a string with a NUL or an object with a NUL in a key, and no such
place is left out. A body without NUL passes the parser unchanged."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from kdesk.api.parsers import parse_json_text, refuse_nul
from kdesk.errors import ValidationFailed
from kdesk.text import NUL, nul_pointers

SOME = settings(max_examples=200, deadline=None)

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=25,
)


def resolve(document, pointer):
    value = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def places(document):
    """Every string holding a NUL, and every object with a NUL in a key (a plain recursion: the
    documents here are shallow)."""
    if isinstance(document, str):
        return 1 if NUL in document else 0
    if isinstance(document, list):
        return sum(places(v) for v in document)
    if isinstance(document, dict):
        own = 1 if any(NUL in k for k in document) else 0
        return own + sum(places(v) for v in document.values())
    return 0


@SOME
@given(documents)
def test_every_pointer_is_a_place_holding_nul_and_none_is_missed(document):
    pointers = nul_pointers(document)
    assert len(pointers) == len(set(pointers)) == places(document)
    for pointer in pointers:
        found = resolve(document, pointer)
        assert (isinstance(found, str) and NUL in found) or (
            isinstance(found, dict) and any(NUL in k for k in found)
        )


@SOME
@given(documents)
def test_the_parser_refuses_exactly_the_bodies_holding_nul(document):
    raw = json.dumps(document)
    try:
        parsed = parse_json_text(raw)
    except ParseError:  # nesting past the depth limit is refused for that reason instead
        return
    if places(document):
        with pytest.raises(ValidationFailed) as caught:
            refuse_nul(parsed)
        assert [e.pointer for e in caught.value.errors] == nul_pointers(document)
        assert {e.code for e in caught.value.errors} == {"nul_character"}
    else:
        refuse_nul(parsed)
        assert parsed == document
