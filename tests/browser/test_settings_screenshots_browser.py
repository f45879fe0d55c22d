"""Every settings page, as an admin at 1024 px and as an agent: each loads without a script
error, and a screenshot of each is saved as a test artefact."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = (
    ("/settings/", "home"),
    ("/settings/objects/", "objects"),
    ("/settings/objects/order/", "object-order"),
    ("/settings/attributes/", "attributes-index"),
    ("/settings/attributes/order/", "attributes-order"),
    ("/settings/attributes/order/_new/", "attribute-new"),
    ("/settings/attributes/order/totalNum/", "attribute-edit"),
    ("/settings/relationships/", "relationships"),
    ("/settings/relationships/_new/", "relationship-new"),
    ("/settings/relationships/{rel}/", "relationship-edit"),
    ("/settings/attributes/order/totalNum/delete/", "attribute-delete"),
    ("/settings/rules/", "rules"),
    ("/settings/rules/_new/", "rule-new"),
    ("/settings/kviews/", "kviews"),
    ("/settings/kviews/_new/", "kview-new"),
    ("/settings/people/", "people"),
    ("/settings/teams/", "teams"),
    ("/settings/teams/_new/", "team-new"),
    ("/settings/api-keys/", "api-keys"),
    ("/settings/profile/", "profile"),
    ("/settings/shortcuts/", "shortcuts-tags"),
    ("/settings/activity/", "activity"),
)


def test_every_settings_page_at_1024px(browser, server, screenshot, org):
    from klasses import services
    from tests.factories import TeamFactory, UserFactory

    order = services.klass_create(
        org=org, actor=None, data={"name": "order", "displayName": "Order"}, app="Shopify"
    )
    services.klass_update(
        org=org,
        actor=None,
        klass=order,
        data={
            "relationships": [{"name": "owner", "target": "customer", "cardinality": "one-to-one"}]
        },
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.order",
        data={"properties": {"totalNum": {"displayName": "Total", "min": 0}}},
    )
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    agent = UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")
    TeamFactory(org=org, name="Returns", slug="returns").members.add(agent)

    from klasses.models import Relationship

    rel = Relationship.objects.get()
    pages_as_admin = [(path.format(rel=rel.pk), name) for path, name in PAGES]
    agent_pages = (("/settings/", "agent-profile"), ("/settings/shortcuts/", "agent-shortcuts"))
    for user, pages in ((admin, pages_as_admin), (agent, agent_pages)):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=server)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/inbox/**")
        for path, name in pages:
            response = page.goto(path)
            assert response.status == 200, path
            # nothing wider than the window: no sideways scrolling at 1024 px
            assert page.evaluate("document.documentElement.scrollWidth <= 1024"), path
            screenshot(page, f"settings-1024-{name}")
        assert not errors, errors
        if user is agent:
            assert page.url.endswith("/settings/shortcuts/")
            assert page.get_by_role("link", name="Objects").count() == 0
        context.close()
