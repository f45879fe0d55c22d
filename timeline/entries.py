"""What kind of timeline entry each event type is, and which events the timeline shows."""

KINDS = ("message", "note", "conversation", "kobject", "customer")

# Event types never shown on the timeline (they change nothing an agent reads in time order).
HIDDEN_TYPES = frozenset({"customer.update", "customer.delete"})

# Edits and deletes of a message or note are not entries of their own: the entry of the
# message or note shows its latest state (edited, or deleted) where it happened in time.
FOLDED_TYPES = frozenset(
    {
        "conversation.message.update",
        "conversation.message.delete",
        "conversation.note.update",
        "conversation.note.delete",
    }
)
CREATE_TYPES = {"message": "conversation.message.create", "note": "conversation.note.create"}


def kind_of(event_type):
    if event_type == "conversation.message.create" or event_type.startswith(
        "conversation.message."
    ):
        return "message"
    if event_type.startswith("conversation.note."):
        return "note"
    if event_type.startswith("conversation."):
        return "conversation"
    if event_type.startswith("kobject."):
        return "kobject"
    return "customer"


def type_prefixes(kinds=(), klasses=()):
    """Event-type prefixes selecting the given kinds and Klasses (empty: everything)."""
    prefixes = []
    for kind in kinds:
        prefixes += {
            "message": ["conversation.message."],
            "note": ["conversation.note."],
            "conversation": ["conversation.create", "conversation.update", "conversation.delete"],
            "kobject": [] if klasses else ["kobject."],
            "customer": ["customer.create", "customer.merge"],
        }[kind]
    prefixes += [f"kobject.{name}." for name in klasses]
    return prefixes
