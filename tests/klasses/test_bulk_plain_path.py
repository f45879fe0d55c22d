"""The bulk import's one-pass check of a body (Validator.clean_plain, _kobject_fields_plain)
agrees with the full check: it gives the same fields for a body the full check accepts as it
stands, and declines (None) whenever the full check reports an error or an undefined
attribute, so every error still comes from the full check."""

from datetime import datetime
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import compile_validator, normalize_definitions
from klasses.schema.types import clean_at, format_at
from klasses.services.kobject_fields import _kobject_fields, _kobject_fields_plain

SOME = settings(max_examples=300, deadline=None)

DEFINITIONS = {
    "orderNumberStr": {"required": True},
    "noteTxt": {},
    "codeStr": {"maxLength": 5},
    "totalNum": {"min": 0, "max": 1000},
    "ratioNum": {"min": 0.5},
    "countNum": {},
    "currencyStr": {"enum": ["USD", "EUR", "x\x7f"]},
    "levelNum": {"enum": [1, 2]},
    "placedAt": {},
    "paidBool": {},
    "siteUrl": {},
    "refId": {},
    "sizesStr": {"multi": True, "enum": ["S", "M"]},
    "tagsStr": {"array": True},
    "kindStr": {"default": "plain"},
    "listStr": {"array": True, "default": ["a"]},
    "neededStr": {"required": True, "default": "yes"},
    "metaObj": {},
}
definitions, problems = normalize_definitions(DEFINITIONS)
assert not problems, problems
VALIDATOR = compile_validator(definitions)
KLASS = SimpleNamespace(name="order")

texts = st.one_of(
    st.sampled_from(["", " ", "USD", "EUR", "x\x7f", "S", "abc", "  padded  ", "a\x00b", "é"]),
    st.text(max_size=8),
    st.text(min_size=250, max_size=260, alphabet="ab"),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 1005),
    st.sampled_from([0.5, 0.25, 1.0, 1e400 - 1e400, 2**70]),
    texts,
    st.sampled_from(
        [
            "2026-11-01T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-11-01T10:00:00.000Z",
            "2026-11-01",
            "8.5",
            "true",
            "https://example.com/x",
        ]
    ),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(texts, scalars))
names = st.one_of(st.sampled_from(sorted(DEFINITIONS)), st.sampled_from(["newStr", "bad", ""]))
# values each definition accepts (and a few it refuses), so that most payloads pass whole
LIKELY = {
    "orderNumberStr": ["A-1", "", "a\x00b", "é", 7],
    "noteTxt": ["a note", "x" * 1024, "x" * 1025],
    "codeStr": ["ab", "abcdef"],
    "totalNum": [0, 1000, 1001, -1, "12", 2.5, True],
    "ratioNum": [0.5, 1, 0.25],
    "countNum": [2**70, -3, 1e400 - 1e400, "1e3"],
    "currencyStr": ["USD", "x\x7f", "GBP", None],
    "levelNum": [1, 2, 3, 1.0],
    "placedAt": ["2026-11-01T10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-01T10:00:00.000Z"],
    "paidBool": [True, False, "true", 1],
    "siteUrl": ["https://example.com/x", "ftp://x"],
    "refId": ["r1", 12],
    "sizesStr": [["S", "M"], ["S", "S"], []],
    "tagsStr": [["a"], [""], "a"],
    "kindStr": ["rich", ""],
    "listStr": [[], ["b"]],
    "neededStr": ["no", ""],
    "metaObj": [{"aStr": "x"}, {"a": {"b": 1}}],
}
likely = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(choices) for name, choices in LIKELY.items()}
)
payloads = st.one_of(likely, likely, st.dictionaries(names, values, max_size=6))


@SOME
@given(payloads, st.booleans())
def test_clean_plain_is_validate_or_declines(payload, creating):
    full = VALIDATOR.validate(payload, pointer="/0/data", creating=creating)
    plain = VALIDATOR.clean_plain(payload, creating=creating)
    if full.errors or full.undefined:
        assert plain is None
    if plain is not None:
        assert plain == full.cleaned
        assert list(plain) == list(full.cleaned)


def test_clean_plain_takes_the_common_values_itself():
    payload = {
        "orderNumberStr": "A-1",
        "totalNum": 12,
        "currencyStr": "EUR",
        "placedAt": "2026-11-01T10:00:00Z",
        "paidBool": False,
    }
    cleaned = VALIDATOR.clean_plain(payload, creating=True)
    assert cleaned == {
        **payload,
        "placedAt": "2026-11-01T10:00:00.000Z",
        "kindStr": "plain",
        "listStr": ["a"],
        "neededStr": "yes",
    }
    assert cleaned["listStr"] is not definitions["listStr"]["default"]  # a fresh copy
    assert VALIDATOR.clean_plain({**payload, "totalNum": 1001}) is None
    assert VALIDATOR.clean_plain({"totalNum": 3}, creating=True) is None  # orderNumberStr


likely_bodies = st.fixed_dictionaries(
    {},
    optional={
        "title": st.sampled_from(["Order 1", "  Order  ", "", None, 3, "x" * 256]),
        "externalId": st.sampled_from(["ord-1", " ", None, "a\x00"]),
        "description": st.sampled_from(["", "text", "x" * 10001]),
        "icon": st.sampled_from(["box", "x" * 65]),
        "tags": st.sampled_from([["a", " a "], [], [""], None, "a", ["x" * 256]]),
        "customer": st.sampled_from(["12", 12, "", None, 0, {"id": 3}, "x"]),
        "company": st.sampled_from([3, "4"]),
        "data": st.one_of(likely, st.sampled_from([None, [], {}])),
        "custom": st.one_of(likely, st.sampled_from([None, "x"])),
        "rev": st.sampled_from([1, None]),
    },
)
bodies = st.one_of(
    likely_bodies,
    likely_bodies,
    likely_bodies,
    st.dictionaries(
        st.sampled_from(
            [
                "title",
                "externalId",
                "description",
                "icon",
                "tags",
                "customer",
                "company",
                "data",
                "custom",
                "rev",
                "images",
                "relationships",
                "unknown",
            ]
        ),
        st.one_of(
            values,
            payloads,
            st.lists(texts, max_size=3),
            st.sampled_from(["12", 12, "0", 0, -1, {"id": 3}, "Order 1", "  Order  ", 2**63]),
        ),
        max_size=7,
    ),
)


@SOME
@given(bodies, st.booleans())
def test_kobject_fields_plain_is_kobject_fields_or_declines(body, creating):
    undefined = {}
    fields, errors, _ = _kobject_fields(
        None,
        KLASS,
        body,
        creating=creating,
        pointer="/0",
        validator=VALIDATOR,
        undefined=undefined,
    )
    plain = _kobject_fields_plain(body, creating=creating, validator=VALIDATOR)
    if errors or undefined:
        assert plain is None
    if plain is not None:
        assert plain == fields
        assert list(plain) == list(fields)


def test_kobject_fields_plain_takes_a_typical_body():
    body = {
        "title": " Order 7 ",
        "externalId": "ord-7",
        "tags": ["a", " b", "a"],
        "customer": "12",
        "data": {"orderNumberStr": "7", "totalNum": 5},
    }
    plain = _kobject_fields_plain(body, creating=True, validator=VALIDATOR)
    assert plain is not None
    assert (
        plain
        == _kobject_fields(None, KLASS, body, creating=True, validator=VALIDATOR, undefined={})[0]
    )
    assert plain["title"] == "Order 7" and plain["tags"] == ["a", "b"]


@SOME
@given(st.datetimes())
def test_at_to_the_second_is_stored_as_the_full_parse_stores_it(moment):
    text = moment.replace(microsecond=0).isoformat() + "Z"
    if len(text) != 20:
        return  # the fast form is four-digit years only
    assert clean_at(text) == format_at(datetime.fromisoformat(text))
