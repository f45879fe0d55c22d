"""Attribute names and the nine types, each on its own (no per-attribute constraints)."""

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import (
    ATTRIBUTE_TYPES,
    SUFFIXES,
    UnknownAttributeType,
    attribute_type,
    compile_validator,
    default_display_name,
    normalize_definitions,
)

SOME = settings(max_examples=150, deadline=None)
STORED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")

clean_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
bases = st.from_regex(r"[a-z][A-Za-z0-9]{0,15}", fullmatch=True)


def texts(min_size=0, max_size=None):
    return st.text(alphabet=clean_chars, min_size=min_size, max_size=max_size)


def validator(raw):
    defs, errors = normalize_definitions(raw)
    assert not errors, errors
    return compile_validator(defs)


def accepts(v, payload):
    result = v.validate(payload)
    assert result.errors == [], result.errors
    again = v.validate(result.cleaned)
    assert again.errors == [] and again.cleaned == result.cleaned
    return result.cleaned


def rejects(v, payload, pointer, code):
    errors = v.validate(payload).errors
    assert (pointer, code) in {(e.pointer, e.code) for e in errors}, errors
    return errors


# names


@SOME
@given(bases, st.sampled_from(SUFFIXES))
def test_it_reads_the_type_from_the_suffix(base, suffix):
    assert attribute_type(base + suffix) == suffix


@SOME
@given(
    st.text(max_size=20).filter(
        lambda s: (
            not re.fullmatch(
                r"[a-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*" + "(Str|Txt|Num|At|Bool|Url|Id|Obj|Tree)", s
            )
        )
    )
)
def test_it_rejects_other_names_and_names_every_suffix(name):
    with pytest.raises(UnknownAttributeType) as exc:
        attribute_type(name)
    for suffix in SUFFIXES:
        assert suffix in str(exc.value)


@pytest.mark.parametrize(
    "name,suffix",
    [("preferred_contact_methodStr", "Str"), ("order_2_totalNum", "Num"), ("vip_sinceAt", "At")],
)
def test_snake_case_before_the_suffix_is_a_name(name, suffix):
    assert attribute_type(name) == suffix


def test_it_explains_an_unknown_suffix():
    with pytest.raises(UnknownAttributeType) as exc:
        attribute_type("fooBar")
    assert str(exc.value).startswith(
        '"fooBar": unknown type suffix; an attribute name must end in one of '
        "Str, Txt, Num, At, Bool, Url, Id, Obj, Tree"
    )


@pytest.mark.parametrize(
    "name", ["Str", "TierStr", "tier__levelStr", "tier_Str", "_tierStr", "tier-Str", "9Str", "éStr"]
)
def test_it_explains_a_badly_formed_name(name):
    with pytest.raises(UnknownAttributeType) as exc:
        attribute_type(name)
    assert "not a valid attribute name" in str(exc.value)
    assert "Str, Txt, Num, At, Bool, Url, Id, Obj, Tree" in str(exc.value)


def test_suffixes_are_case_sensitive():
    for name in ("tierstr", "chat", "totalNUM", "vipbool"):
        with pytest.raises(UnknownAttributeType):
            attribute_type(name)


@pytest.mark.parametrize(
    "name,label",
    [
        ("orderTotalNum", "Order Total"),
        ("vipBool", "Vip"),
        ("externalURLStr", "External URL"),
        ("line2Str", "Line 2"),
        ("aAt", "A"),
    ],
)
def test_display_name_defaults_to_the_title_cased_name(name, label):
    assert default_display_name(name) == label


def test_every_suffix_has_a_type():
    assert tuple(ATTRIBUTE_TYPES) == SUFFIXES
    for suffix, kind in ATTRIBUTE_TYPES.items():
        assert kind.suffix == suffix and callable(kind.clean) and kind.description


# Str and Txt


@pytest.mark.parametrize("name,cap", [("aStr", 255), ("aTxt", 1024)])
@SOME
@given(data=st.data())
def test_text_up_to_the_cap_is_kept_as_given(name, cap, data):
    s = data.draw(texts(1, cap))
    assert accepts(validator({name: {}}), {name: s})[name] == s


@pytest.mark.parametrize("name,cap", [("aStr", 255), ("aTxt", 1024)])
@SOME
@given(data=st.data())
def test_text_over_the_cap_is_too_long(name, cap, data):
    s = data.draw(texts(cap + 1, cap + 50))
    rejects(validator({name: {}}), {name: s}, f"/custom/{name}", "max_length")


@pytest.mark.parametrize("name", ["aStr", "aTxt", "aUrl", "aId"])
@SOME
@given(
    st.one_of(
        st.floats(),
        st.booleans(),
        st.lists(st.text(), min_size=1),
        st.dictionaries(st.text(), st.text()),
    )
)
def test_strings_reject_other_json(name, value):
    rejects(validator({name: {}}), {name: value}, f"/custom/{name}", "type")


@pytest.mark.parametrize("name", ["aStr", "aTxt", "aId"])
@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_strings_that_postgres_cannot_store_are_refused(name, bad):
    rejects(validator({name: {}}), {name: bad}, f"/custom/{name}", "format")


# Num


@SOME
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_num_keeps_ints_and_floats(n):
    cleaned = accepts(validator({"aNum": {}}), {"aNum": n})["aNum"]
    assert cleaned == n and type(cleaned) is type(n)


JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


@SOME
@given(
    st.one_of(
        st.text(min_size=1).filter(lambda t: not JSON_NUMBER.fullmatch(t)),
        st.booleans(),
        st.lists(st.integers(), min_size=1),
        st.dictionaries(st.text(), st.integers()),
    )
)
def test_num_rejects_non_numbers(x):
    rejects(validator({"aNum": {}}), {"aNum": x}, "/custom/aNum", "type")


@SOME
@given(st.one_of(st.integers(-(10**60), 10**60), st.floats(allow_nan=False, allow_infinity=False)))
def test_num_takes_a_number_written_as_a_string(n):
    text = json.dumps(n)
    cleaned = accepts(validator({"aNum": {}}), {"aNum": text})["aNum"]
    assert cleaned == n and type(cleaned) is type(n)


@pytest.mark.parametrize(
    "text", ["+1", "01", "1.", ".5", " 1", "1 ", "1e", "NaN", "Infinity", "1e999", "9" * 65]
)
def test_num_refuses_strings_not_in_canonical_form(text):
    rejects(validator({"aNum": {}}), {"aNum": text}, "/custom/aNum", "type")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_num_rejects_nan_and_infinity(bad):
    rejects(validator({"aNum": {}}), {"aNum": bad}, "/custom/aNum", "type")


# At

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30))


def in_utc_ms(dt):
    return dt.astimezone(UTC).replace(microsecond=dt.microsecond // 1000 * 1000)


@SOME
@given(moments, offsets, st.sampled_from(["T", " "]))
def test_at_stores_utc_with_z(naive, tz, sep):
    dt = naive.replace(tzinfo=tz)
    cleaned = accepts(validator({"aAt": {}}), {"aAt": dt.isoformat(sep=sep)})["aAt"]
    assert STORED_AT.match(cleaned)
    assert datetime.fromisoformat(cleaned) == in_utc_ms(dt)


@SOME
@given(moments)
def test_at_takes_a_naive_date_time_as_utc(naive):
    cleaned = accepts(validator({"aAt": {}}), {"aAt": naive.isoformat()})["aAt"]
    assert datetime.fromisoformat(cleaned) == in_utc_ms(naive.replace(tzinfo=UTC))


@SOME
@given(st.dates(min_value=datetime(1000, 1, 1).date()))
def test_at_takes_a_date_as_midnight_utc(day):
    cleaned = accepts(validator({"aAt": {}}), {"aAt": day.isoformat()})["aAt"]
    assert cleaned == f"{day.isoformat()}T00:00:00.000Z"


@pytest.mark.parametrize(
    "given_,stored",
    [
        ("2026-01-02T03:04:05+02:00", "2026-01-02T01:04:05.000Z"),
        ("2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05.123Z"),
        ("2026-01-02T03:04Z", "2026-01-02T03:04:00.000Z"),
        ("2026-01-02T23:30:00-01:00", "2026-01-03T00:30:00.000Z"),
        ("20260102T030405Z", "2026-01-02T03:04:05.000Z"),
        ("2026-01-02", "2026-01-02T00:00:00.000Z"),
        ("2026-01-02T03:04:05.000Z", "2026-01-02T03:04:05.000Z"),
    ],
)
def test_at_examples(given_, stored):
    assert accepts(validator({"aAt": {}}), {"aAt": given_})["aAt"] == stored


@pytest.mark.parametrize(
    "bad",
    [
        "yesterday",
        "2026-02-30",
        "2026-02-30T00:00:00.000Z",
        "2026-13-01T00:00:00Z",
        "2026-01-02X03:04:05",
        "0001-01-01T00:00:00+01:00",
        "2026-01-02T25:00:00Z",
        "1700000000",
    ],
)
def test_at_rejects_what_is_not_a_date_time(bad):
    rejects(validator({"aAt": {}}), {"aAt": bad}, "/custom/aAt", "format")


@SOME
@given(st.text(max_size=30).filter(lambda s: not s[:4].isdigit() and s.strip() != ""))
def test_at_rejects_text(s):
    rejects(validator({"aAt": {}}), {"aAt": s}, "/custom/aAt", "format")


@SOME
@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.lists(st.text(), min_size=1)))
def test_at_rejects_non_strings(x):
    rejects(validator({"aAt": {}}), {"aAt": x}, "/custom/aAt", "type")


# Bool


@SOME
@given(st.booleans())
def test_bool_keeps_booleans(b):
    assert accepts(validator({"aBool": {}}), {"aBool": b})["aBool"] is b


@pytest.mark.parametrize("text,value", [("true", True), ("false", False)])
def test_bool_takes_true_and_false_as_strings(text, value):
    assert accepts(validator({"aBool": {}}), {"aBool": text})["aBool"] is value


@SOME
@given(
    st.one_of(
        st.integers(),
        st.text(min_size=1).filter(lambda t: t not in ("true", "false")),
        st.floats(allow_nan=False),
    )
)
def test_bool_rejects_everything_else(x):
    rejects(validator({"aBool": {}}), {"aBool": x}, "/custom/aBool", "type")


# Url

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True)
paths = st.from_regex(
    r"(/[A-Za-z0-9_~%.-]{0,8}){0,3}(\?[a-z]=[0-9]{1,3})?(#[a-z]{0,4})?", fullmatch=True
)


@SOME
@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")),
    paths,
)
def test_url_keeps_absolute_http_urls(scheme, host, port, path):
    url = f"{scheme}://{host}{port}{path}"
    assert accepts(validator({"aUrl": {}}), {"aUrl": url})["aUrl"] == url


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://x.io/a",
        "javascript:alert(1)",
        "/relative/path",
        "x.io",
        "http://",
        "https:///path",
        "mailto:a@b.co",
        "http://exa mple.com/",
        "https://example.com/a b",
        "http://:80/",
        "//example.com/",
    ],
)
def test_url_rejects_anything_but_absolute_http(bad):
    rejects(validator({"aUrl": {}}), {"aUrl": bad}, "/custom/aUrl", "format")


@SOME
@given(st.text(max_size=40).filter(lambda s: "://" not in s and s != ""))
def test_url_rejects_text_without_a_scheme(s):
    rejects(validator({"aUrl": {}}), {"aUrl": s}, "/custom/aUrl", "format")


def test_url_has_a_length_cap():
    url = "https://example.com/" + "a" * 2048
    rejects(validator({"aUrl": {}}), {"aUrl": url}, "/custom/aUrl", "max_length")


# Id


@SOME
@given(st.one_of(st.integers(), texts(1, 255)))
def test_id_stores_strings(x):
    assert accepts(validator({"aId": {}}), {"aId": x})["aId"] == str(x)


def test_id_has_a_length_cap():
    rejects(validator({"aId": {}}), {"aId": "x" * 256}, "/custom/aId", "max_length")


# Obj

keys = texts(1, 8)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(max_size=8),
)


@SOME
@given(st.dictionaries(keys, st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=6))
def test_obj_keeps_one_level(d):
    v = validator({"aObj": {}})
    cleaned = accepts(v, {"aObj": d})["aObj"]
    assert cleaned == d and cleaned is not d


@SOME
@given(
    st.dictionaries(keys, scalars, max_size=3),
    keys,
    st.one_of(
        st.dictionaries(keys, scalars, max_size=2),
        st.lists(st.dictionaries(keys, scalars, max_size=2), min_size=1, max_size=2),
        st.lists(st.lists(scalars, max_size=2), min_size=1, max_size=2),
    ),
)
def test_obj_rejects_nesting_at_the_key(d, key, nested):
    d = {**d, key: nested}
    errors = validator({"aObj": {}}).validate({"aObj": d}).errors
    assert errors and all(e.code == "depth" for e in errors), errors
    assert all(
        e.pointer.startswith(f"/custom/aObj/{key.replace('~', '~0').replace('/', '~1')}")
        for e in errors
    )


@SOME
@given(st.one_of(st.lists(scalars, min_size=1), st.text(min_size=1), st.integers(), st.booleans()))
def test_obj_rejects_non_objects(x):
    rejects(validator({"aObj": {}}), {"aObj": x}, "/custom/aObj", "type")


def test_obj_keys_are_escaped_in_pointers():
    errors = validator({"aObj": {}}).validate({"aObj": {"a/b~c": {"x": 1}}}).errors
    assert [e.pointer for e in errors] == ["/custom/aObj/a~1b~0c"]


def test_obj_numbers_must_be_finite():
    rejects(validator({"aObj": {}}), {"aObj": {"n": [1, math.inf]}}, "/custom/aObj/n/1", "type")


# Tree (without nodes: any path up to six levels)

node_ids = st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True)


@SOME
@given(st.lists(node_ids, min_size=1, max_size=6), st.booleans())
def test_tree_stores_a_dotted_path(ids, as_list):
    value = ids if as_list else ".".join(ids)
    assert accepts(validator({"aTree": {}}), {"aTree": value})["aTree"] == ".".join(ids)


@SOME
@given(st.lists(node_ids, min_size=7, max_size=10), st.booleans())
def test_tree_is_at_most_six_levels(ids, as_list):
    value = ids if as_list else ".".join(ids)
    rejects(validator({"aTree": {}}), {"aTree": value}, "/custom/aTree", "depth")


@pytest.mark.parametrize("bad", ["a..b", ".a", "a.", ["a", ""], ["a.b"]])
def test_tree_rejects_empty_or_dotted_ids(bad):
    rejects(validator({"aTree": {}}), {"aTree": bad}, "/custom/aTree", "format")


@pytest.mark.parametrize("bad", [1, True, {"a": 1}, [], [1, 2]])
def test_tree_rejects_other_json(bad):
    rejects(validator({"aTree": {}}), {"aTree": bad}, "/custom/aTree", "type")
