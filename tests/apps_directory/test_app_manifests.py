"""Every shipped manifest loads, is valid, and installs (and upgrades, version by version) in
a fresh org; a manifest with a problem is refused with every problem named."""

import pytest

from apps_directory.catalog import manifest as manifests
from apps_directory.catalog.manifest import ManifestError, catalog, parse

pytestmark = pytest.mark.django_db


def test_the_shipped_catalog_loads_and_has_orders_in_two_versions():
    apps = manifests.load()
    assert [m.version for m in apps["orders"]] == ["1.0.0", "2.0.0"]
    v1, v2 = apps["orders"]
    assert {(f.kind, f.key) for f in v1.features} == {
        ("klass", "order"),
        ("kview", "order-timeline"),
        ("hook", "shop"),
        ("workflow", "order-upsert"),
    }
    assert set(v2.features[0].spec["attributes"]) - set(v1.features[0].spec["attributes"])


@pytest.mark.parametrize(
    ("app", "versions"), [(app, [m.version for m in vs]) for app, vs in manifests.load().items()]
)
def test_each_shipped_app_installs_and_upgrades_through_every_version(
    org, admin_user, app, versions
):
    from apps_directory.catalog import services

    installation = services.installation_create(
        org=org, actor=admin_user, data={"app": app, "version": versions[0]}
    )
    assert installation.features.count() == len(catalog.get(app, versions[0]).features)
    for version in versions[1:]:
        services.installation_update(
            org=org, actor=admin_user, installation=installation, data={"version": version}
        )
        installation.refresh_from_db()
        assert installation.version == version
        assert installation.features.count() == len(catalog.get(app, version).features)


def test_a_bad_manifest_names_every_problem():
    data = {
        "app": "Bad App",
        "version": "1",
        "title": "",
        "summary": "s",
        "klasses": [{"name": "customer", "displayName": "C", "attributes": {"x": {}}}],
        "kviews": [{"key": "k", "name": "K", "klass": "nope", "context": "side", "template": "{%"}],
        "hooks": [{"key": "h", "name": "H", "kind": "ftp"}],
        "workflows": [
            {"key": "w", "name": "W", "trigger": {"type": "hook", "hook": "x"}, "steps": []}
        ],
        "gadgets": [],
    }
    with pytest.raises(ManifestError) as caught:
        parse(data, where="bad.toml")
    text = "\n".join(caught.value.problems)
    for expected in (
        "unknown key 'gadgets'",
        "'app' is missing or malformed",
        "'version' is missing or malformed",
        "'title' is required text",
        "'customer' cannot be a Klass name",
        "attributes/x",
        "klass 'nope' is not one of this app's klasses",
        "context is one of",
        "template:",
        "kind is one of web, email",
        "trigger hook 'x' is not one of this app's hooks",
        "'steps' is a non-empty list",
    ):
        assert expected in text, expected


def test_a_title_longer_than_a_klass_can_record_is_refused():
    data = {"app": "long", "version": "1.0.0", "title": "T" * 65, "summary": "s"}
    with pytest.raises(ManifestError, match="'title' is at most 64 characters"):
        parse(data, where="long.toml")


def test_a_file_whose_version_differs_from_its_name_is_refused(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "1.0.0.toml").write_text(
        'app = "demo"\nversion = "1.0.1"\ntitle = "Demo"\nsummary = "s"\n'
    )
    with pytest.raises(ManifestError, match="differs from its file name"):
        manifests.load(tmp_path)


def test_two_apps_with_one_title_are_refused(tmp_path):
    for app in ("one", "two"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "1.0.0.toml").write_text(
            f'app = "{app}"\nversion = "1.0.0"\ntitle = "Same"\nsummary = "s"\n'
        )
    with pytest.raises(ManifestError, match="two apps have the title 'same'"):
        manifests.load(tmp_path)
