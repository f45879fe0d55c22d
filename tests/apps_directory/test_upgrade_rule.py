"""The three-way rule an upgrade applies to each field an app sets: what the app last wrote,
what the field holds now, what the new version sets. And the readings it relies on: what a
manifest sets reads exactly as the services store it."""

import pytest

from apps_directory.catalog import customizations
from apps_directory.catalog.customizations import decide, put_values
from apps_directory.catalog.manifest import catalog
from apps_directory.catalog.models import InstalledFeature


def test_a_field_nobody_touched_takes_the_new_value():
    assert decide(written={"name": "A"}, current={"name": "A"}, new={"name": "B"}) == []


def test_a_field_an_admin_changed_is_kept():
    assert decide(written={"name": "A"}, current={"name": "Mine"}, new={"name": "B"}) == ["name"]


def test_an_admin_change_is_kept_when_the_new_version_leaves_the_field_as_it_was():
    assert decide(written={"name": "A"}, current={"name": "Mine"}, new={"name": "A"}) == ["name"]


def test_an_admin_who_already_set_the_new_value_has_nothing_kept():
    assert decide(written={"name": "A"}, current={"name": "B"}, new={"name": "B"}) == []


def test_a_field_the_app_sets_for_the_first_time():
    # empty: simply set; holding a value the admin gave it: the admin's
    new = {"attributes/itemCountNum/displayName": "Items"}
    assert decide(written={}, current={}, new=new) == []
    mine = {"attributes/itemCountNum/displayName": "Parcels"}
    assert decide(written={}, current=mine, new=new) == ["attributes/itemCountNum/displayName"]


def test_a_field_an_admin_emptied_or_deleted_is_set_again():
    assert decide(written={"icon": "cart"}, current={}, new={"icon": "bag"}) == []


def test_nothing_recorded_takes_every_new_value():
    assert decide(written=None, current={"name": "Mine"}, new={"name": "B"}) == []


def test_only_the_fields_the_new_version_sets_are_compared_in_its_order():
    written = {"a": 1, "b": 1, "c": 1, "gone": 1}
    current = {"a": 2, "b": 1, "c": 3, "gone": 9, "admin-only": 5}
    new = {"c": 4, "b": 4, "a": 4}
    assert decide(written=written, current=current, new=new) == ["c", "a"]


def test_values_compare_whole_lists_and_tables():
    steps = [{"id": "a", "action": "x", "params": {"n": 1}}]
    edited = [{"id": "a", "action": "x", "params": {"n": 2}}]
    assert decide(written={"steps": steps}, current={"steps": steps}, new={"steps": []}) == []
    assert decide(written={"steps": steps}, current={"steps": edited}, new={"steps": []}) == [
        "steps"
    ]


def test_kept_values_go_into_a_copy_of_the_spec_at_their_path():
    spec = {"name": "order", "attributes": {"statusStr": {"displayName": "Status", "enum": ["a"]}}}
    out, ctx = put_values(spec, "ctx", {"attributes/statusStr/displayName": "State"})
    assert out["attributes"]["statusStr"] == {"displayName": "State", "enum": ["a"]}
    assert spec["attributes"]["statusStr"]["displayName"] == "Status"  # the manifest's, unchanged
    assert ctx == "ctx"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "version"),
    [(app, m.version) for app, versions in catalog.apps.items() for m in versions],
)
def test_what_a_shipped_manifest_sets_reads_back_as_it_is_stored(org, admin_user, app, version):
    """The readings the rule compares agree with the services: right after an install, each
    feature's fields hold exactly what `sets` reads from its spec (else an untouched field
    would look edited)."""
    from apps_directory.catalog import kinds, services

    installation = services.installation_create(
        org=org, actor=admin_user, data={"app": app, "version": version}
    )
    rows = {(r.kind, r.key): r for r in InstalledFeature.objects.filter(installation=installation)}
    ctx = kinds.Context("", {key: row.object_id for key, row in rows.items()})
    for feature in catalog.get(app, version).features:
        row = rows[(feature.kind, feature.key)]
        sets = customizations.get(feature.kind).sets(feature.spec, ctx)
        assert sets, feature.key
        assert row.written == sets, feature.key
        assert row.kept == []
