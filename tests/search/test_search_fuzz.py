"""Arbitrary bodies never make the search fail: 200 or a 400 in the API.md error shape."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdesk.search.fields import CONTEXTS, OPS

URL = "/v1/customers/search"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "+1 415 555 0123",
            "gold",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=6,
)
field_names = st.sampled_from(
    [f"{ctx}_{name}" for ctx, spec in CONTEXTS.items() for name in spec.fields]
    + [
        "customer_custom_tierStr",
        "customer_custom_spendNum",
        "customer_custom_renewsAt",
        "customer_custom_okBool",
        "customer_custom_pObj",
        "kobject_data_totalNum",
        "customer_custom_bad",
        "nope",
    ]
)
criterion = st.dictionaries(
    field_names,
    st.dictionaries(st.sampled_from([*OPS, "like"]), values, max_size=2),
    min_size=1,
    max_size=2,
)
entries = st.recursive(
    criterion,
    lambda inner: st.dictionaries(
        st.sampled_from(["and", "or"]), st.lists(inner, max_size=3), min_size=1, max_size=1
    ),
    max_leaves=5,
)
bodies = st.fixed_dictionaries(
    {"queryContext": st.sampled_from([*CONTEXTS, "x"])},
    optional={
        "and": st.lists(entries, max_size=3) | values,
        "or": st.lists(entries, max_size=3),
        "sort": st.lists(
            st.dictionaries(field_names, st.sampled_from(["asc", "desc", "up"]), max_size=1),
            max_size=2,
        ),
        "klass": st.text(max_size=5),
    },
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_any_body_is_a_200_or_a_400(api, body):
    response = api.post(URL, body)
    assert response.status_code in (200, 400), (body, response.content[:500])
    if response.status_code == 400:
        errors = response.json()["errors"]
        assert errors and all("detail" in e for e in errors)
