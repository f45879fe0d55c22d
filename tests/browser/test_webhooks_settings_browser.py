"""An admin sets up a webhook in the browser: errors beside fields, the token once, the
delivery log with request and response, and a confirmation before deleting."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_manages_a_webhook(signed_in, screenshot, org):
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Webhooks").click()
    page.wait_for_url("**/settings/webhooks/")
    page.get_by_role("button", name="Create webhook").click()
    assert page.locator("#id_name_error").is_visible()
    assert page.locator("#id_url_error").is_visible()
    screenshot(page, "webhook-form-errors")
    page.get_by_label("Name", exact=True).fill("Order system")
    page.get_by_label("URL", exact=True).fill("https://93.184.215.14/kdesk")
    page.get_by_label("Customer update", exact=True).check()
    page.get_by_label("Custom headers").fill("X-Shop: north")
    page.get_by_role("button", name="Create webhook").click()
    page.wait_for_url("**/settings/webhooks/*/")
    token = page.locator("#new-token").inner_text()
    assert token.startswith("whsec_")
    screenshot(page, "webhook-created")
    webhook_url = page.url

    from apps_directory.webhooks.models import Delivery, DeliveryAttempt, OutboundWebhook
    from customers.services import customer_create

    webhook = OutboundWebhook.objects.get()
    OutboundWebhook.objects.filter(pk=webhook.pk).update(enabled=False)  # nothing leaves
    customer = customer_create(org=org, actor=admin, data={"name": "Ada"})
    customer.refresh_from_db()
    from customers.services import customer_update

    customer_update(org=org, actor=admin, customer=customer, data={"name": "Ada L."})
    delivery = Delivery.objects.get()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        request_headers={"webhook-id": delivery.message_id, "webhook-signature": "v1,abc="},
        response_status=503,
        response_excerpt="upstream unavailable",
        duration_ms=42,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        body='{"name":"kustomer.customer.update"}', attempts=1, last_status_code=503
    )
    page.goto(webhook_url)
    assert token not in page.content()  # shown once only
    page.get_by_text("Request and response").first.click()
    assert page.get_by_text("upstream unavailable").is_visible()
    screenshot(page, "webhook-settings")
    page.get_by_role("link", name="Delete…").click()
    assert page.get_by_role("heading", name="Delete “Order system”?").is_visible()
    screenshot(page, "webhook-delete-confirm")
    page.get_by_role("button", name="Delete webhook").click()
    page.wait_for_url("**/settings/webhooks/")
    assert not OutboundWebhook.objects.exists()
