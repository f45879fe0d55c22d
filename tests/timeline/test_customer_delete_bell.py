"""Deleting a customer deletes the notifications about its conversations and notes: each person
who had one gets their new unread count pushed after commit (every tab), nobody else does, and a
rolled-back delete pushes nothing."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from tests.timeline.live_helpers import Browser, desk_world, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def delete(org, actor, customer, fail=False):
    from customers.services import customer_delete

    with transaction.atomic():
        customer_delete(org=org, actor=actor, customer=customer)
        if fail:
            raise RuntimeError("rolled back")


@sync_to_async
def unread(org, user):
    from conversations.selectors import unread_notification_count

    return unread_notification_count(org=org.pk, user=user.pk)


async def test_deleting_a_customer_updates_the_bells_of_the_notified():
    org, who, grace, conversation, newcomer = await desk_world()  # Lee was mentioned on Grace
    assert await unread(org, who["lee"]) == 1
    lee = await Browser.sign_in(who["lee"])
    here, there = await lee.socket("here"), await lee.socket("there")
    priya = await (await Browser.sign_in(who["priya"])).socket("priya")
    for tab in (here, there, priya):
        await subscribe(tab, "notifications")

    with pytest.raises(RuntimeError):
        await delete(org, who["ada"], grace, fail=True)
    assert await here.receive_nothing(timeout=0.2)

    await delete(org, who["ada"], grace)
    assert await unread(org, who["lee"]) == 0
    for tab in (here, there):
        assert await tab.receive_json_from(timeout=2) == {"type": "unread", "count": 0}
        assert await tab.receive_nothing(timeout=0.2)
    assert await priya.receive_nothing(timeout=0.2)
    for tab in (here, there, priya):
        await tab.disconnect()
