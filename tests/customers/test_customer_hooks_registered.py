"""Customer delete and merge reach the other apps only through the resource register: the
conversations and klasses resources declare their hooks (the layering test checks that the
customers app imports neither)."""

from kdesk import resources


def test_conversations_and_klasses_declare_their_customer_hooks():
    hooked = {
        r.name: (r.on_customer_delete, r.on_customer_merge)
        for r in resources.all_resources()
        if r.on_customer_delete or r.on_customer_merge
    }
    assert set(hooked) >= {"conversation", "kobject"}
    for name in ("conversation", "kobject"):
        assert all(callable(hook) for hook in hooked[name]), name
    names = list(resources.names())
    assert names.index("conversation") < names.index("kobject")  # app order: conversations go first
