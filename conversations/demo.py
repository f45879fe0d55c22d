"""Demo data: 1–3 support conversations per demo customer with 2–8 messages each, internal notes
that @mention agents and the @billing / @shipping teams (with their notifications), mixed
statuses and assignments, spread over the last 90 days. Event rows carry the same timestamps
and are inserted in time order so the timelines read naturally.

Idempotent: customers that already have a conversation are skipped. Everything is bulk-inserted
and the events are recorded with one emit_many."""

import random
from datetime import timedelta

from django.utils import timezone

from customers.models import Customer
from kdesk.events import emit_many
from kdesk.models import Event, Team

from .models import Conversation, Message, Note, Notification, Shortcut, Tag
from .representations import (
    conversation_resource,
    message_resource,
    note_resource,
    shortcut_resource,
    tag_resource,
)
from .services import make_preview

# (subject, team slug, [(direction, text), ...], [note text, ...])
TOPICS = [
    (
        "Where is my order #{order}?",
        "shipping",
        [
            (
                "in",
                "Hi, I ordered a tent (order #{order}) ten days ago and it still hasn't "
                "arrived. The tracking page hasn't updated since Monday. Can you help?",
            ),
            (
                "out",
                "Hi {first}, sorry about the wait! I checked with the carrier: your parcel "
                "is at the regional depot and should be out for delivery within 2 days.",
            ),
            (
                "in",
                "Thanks. Is there any way to get it before the weekend? We're leaving for "
                "a camping trip on Saturday.",
            ),
            (
                "out",
                "I've asked the carrier to prioritise it and upgraded you to express at no "
                "cost. You'll get a new tracking link by email shortly.",
            ),
            ("in", "Got the new tracking link, it says Friday. Perfect, thank you!"),
            ("out", "Wonderful — enjoy the trip, {first}! Let us know how the tent holds up."),
        ],
        [
            "@shipping carrier shows the parcel stuck at the depot for 5 days, can someone "
            "chase DHL?",
            "@{agent} upgraded to express, cost absorbed — please keep an eye on it.",
        ],
    ),
    (
        "Charged twice for order #{order}",
        "billing",
        [
            (
                "in",
                "Hello, my card statement shows two charges of the same amount for order "
                "#{order}. I only placed one order.",
            ),
            (
                "out",
                "Hi {first}, thanks for flagging this. I can see one captured payment and "
                "one authorisation hold; the hold should drop off within 3–5 business days.",
            ),
            ("in", "It's been a week and both are still showing as completed, not pending."),
            (
                "out",
                "You're right, I apologise — the second charge was captured by mistake. "
                "I've issued a full refund for it; it can take up to 5 days to appear.",
            ),
            ("in", "OK, I see the refund as pending now. Thanks for sorting it out."),
        ],
        [
            "@billing double capture confirmed in Stripe, refund needed for the second payment.",
            "Refund issued. @{agent} FYI in case they write back.",
        ],
    ),
    (
        "Return and refund for damaged backpack",
        "shipping",
        [
            (
                "in",
                "The backpack from order #{order} arrived with a torn shoulder strap. "
                "I'd like a replacement or a refund.",
            ),
            (
                "out",
                "Hi {first}, I'm sorry it arrived damaged! Could you send a photo of the "
                "strap? Then I'll send a prepaid return label right away.",
            ),
            ("in", "Photo attached. I'd prefer a replacement if you have it in stock."),
            (
                "out",
                "Thanks — a replacement is on its way (tracking to follow) and the return "
                "label is in your inbox. No need to wait for the return to be processed.",
            ),
        ],
        [
            "@shipping second damaged strap from this batch this month — worth checking the "
            "warehouse stock?"
        ],
    ),
    (
        "Update billing address",
        "billing",
        [
            (
                "in",
                "Hi, I moved last month. Can you update the billing address on my account "
                "and on the subscription?",
            ),
            ("out", "Of course, {first}! Please reply with the new address and I'll update both."),
            ("in", "It's 12 Harbour Street, Flat 4, same city, postcode unchanged."),
            (
                "out",
                "Done — both your account and the subscription now use the new address. "
                "Your next invoice will show it.",
            ),
        ],
        [],
    ),
    (
        "Cancel my subscription",
        "billing",
        [
            ("in", "Please cancel my Trail Club subscription before the next renewal."),
            (
                "out",
                "Hi {first}, sorry to see you go! I can cancel it now; you'll keep the "
                "benefits until the end of the current period. Shall I go ahead?",
            ),
            ("in", "Yes please. Maybe I'll be back in spring."),
            (
                "out",
                "All set — the subscription is cancelled and won't renew. We'd love to see "
                "you again in spring!",
            ),
        ],
        ["@{agent} offered the 3-month pause first, they declined. Cancelled."],
    ),
    (
        "Question about sizing",
        None,
        [
            ("in", "Do your hiking boots run small? I'm usually a 42 but between sizes."),
            (
                "out",
                "Hi {first}, they run true to size but are a bit narrow; if you're between "
                "sizes we recommend going half a size up.",
            ),
            ("in", "Great, I'll order the 42.5 then. Thanks!"),
        ],
        [],
    ),
    (
        "Discount code not working",
        "billing",
        [
            ("in", "The code SPRING15 from your newsletter says it's invalid at checkout."),
            (
                "out",
                "Hi {first}, that code only applies to full-price items — your cart has a "
                "sale jacket. I've applied 15% manually to order #{order} instead.",
            ),
            ("in", "Oh I see, thank you, that's very kind."),
        ],
        ["@billing manual 15% discount applied on #{order}, please reconcile."],
    ),
    (
        "Delivery to the wrong address",
        "shipping",
        [
            (
                "in",
                "The carrier says my parcel for order #{order} was delivered, but it went "
                "to my old address!",
            ),
            (
                "out",
                "Hi {first}, I'm so sorry. The order still had your previous address. "
                "I've opened a claim with the carrier and we're sending a new parcel to the "
                "correct address today.",
            ),
            ("in", "Thank you. Can you make sure future orders go to the new one?"),
            (
                "out",
                "Yes — I've removed the old address from your account so it can't be "
                "picked by mistake again.",
            ),
            ("in", "Received the new parcel today, all good."),
        ],
        [
            "@shipping claim opened with the carrier for #{order}, reshipped.",
            "@lee can you follow up on the carrier claim next week?",
        ],
    ),
]
CHANNELS_BY_WEIGHT = ["email"] * 5 + ["chat"] * 3 + ["sms"] * 2 + ["social", "voice", "form"]
AGENTS = ["sam", "priya", "lee"]
TAGS = [
    ("vip", "#b45309"),
    ("refund", "#b91c1c"),
    ("shipping", "#1d4ed8"),
    ("billing", "#047857"),
    ("feedback", "#7c3aed"),
]
SHORTCUTS = [
    (
        "greeting",
        "Hi {{customer.firstName}}, thanks for reaching out! {{agent.firstName}} here.",
        "shared",
    ),
    (
        "tracking",
        "Hi {{customer.firstName}}, you can follow your parcel with the tracking link "
        "in your confirmation email. Let me know if it hasn't moved in 2 days!",
        "shared",
    ),
    (
        "refund-issued",
        "Hi {{customer.firstName}}, I've issued your refund; it can take up to "
        "5 business days to appear on your statement. — {{agent.name}}",
        "shared",
    ),
    ("sign-off", "Have a great day,\n{{agent.name}}", "private"),
]


def _name(user):
    return user.display_name or user.username


def seed(org, people):
    now = timezone.now()
    _seed_tags_and_shortcuts(org, people, now)
    customers = list(
        Customer.objects.filter(org=org)
        .exclude(pk__in=Conversation.objects.filter(org=org).values("customer_id"))
        .order_by("id")
    )
    if not customers:
        return
    rng = random.Random(9090)
    teams = {t.slug: t for t in Team.objects.filter(org=org)}
    members = {slug: [] for slug in teams}
    for team_id, user_id in Team.members.through.objects.filter(team__org=org).values_list(
        "team_id", "user_id"
    ):
        for slug, team in teams.items():
            if team.pk == team_id:
                members[slug].append(user_id)
    agents = [people[a] for a in AGENTS if a in people]
    users_by_id = {u.pk: u for u in people.values()}
    start_floor = now - timedelta(days=90)

    plans = []  # (conversation, [messages], [notes with their mentions])
    for customer in customers:
        first = (customer.name or "there").split()[0]
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            subject, team_slug, script, note_texts = rng.choice(TOPICS)
            order = rng.randint(10000, 99999)
            floor = max(start_floor, customer.created_at or start_floor)
            span = max(1.0, (now - floor).total_seconds() / 86400 - 1)
            at = floor + timedelta(days=rng.uniform(0, span))
            agent = rng.choice(agents) if agents else None
            channel = rng.choice(CHANNELS_BY_WEIGHT)
            n_messages = rng.randint(2, min(8, len(script))) if len(script) > 2 else len(script)
            fmt = {"first": first, "order": order, "agent": agent.username if agent else "sam"}
            messages = []
            t = at
            for direction, text in script[:n_messages]:
                t = t + timedelta(minutes=rng.randint(3, 60 * 20))
                if t > now:
                    t = now - timedelta(minutes=rng.randint(1, 30))
                body = text.format(**fmt)
                messages.append(
                    Message(
                        org=org,
                        customer=customer,
                        direction=direction,
                        channel=channel if rng.random() < 0.85 else rng.choice(CHANNELS_BY_WEIGHT),
                        body=body,
                        preview=make_preview(body),
                        author=agent if direction == "out" else None,
                        sent_at=t,
                        created_at=t,
                        updated_at=t,
                    )
                )
            messages.sort(key=lambda m: m.sent_at)
            last = messages[-1]
            roll = rng.random()
            status = "done" if roll < 0.55 else ("snoozed" if roll < 0.65 else "open")
            if last.direction == "in" and status == "done" and rng.random() < 0.5:
                status = "open"
            channels = list(dict.fromkeys(m.channel for m in messages))
            conversation = Conversation(
                org=org,
                customer=customer,
                name=subject.format(**fmt),
                status=status,
                snooze_until=now + timedelta(days=rng.randint(1, 5))
                if status == "snoozed"
                else None,
                priority=rng.choice([1, 2, 3, 3, 3, 4, 5]),
                channels=channels,
                assigned_user=agent if rng.random() < 0.8 else None,
                assigned_team=teams.get(team_slug) if team_slug else None,
                tags=[team_slug] if team_slug and rng.random() < 0.5 else [],
                rev=2 if status != "open" else 1,
                created_at=at,
                updated_at=last.sent_at,
                first_message_at=messages[0].sent_at,
                last_message_at=last.sent_at,
                last_activity_at=last.sent_at,
                last_message_preview=last.preview,
                message_count=len(messages),
            )
            notes = []
            for text in note_texts:
                if rng.random() < 0.35:
                    continue
                author = agent or rng.choice(agents)
                i = rng.randint(0, len(messages) - 1)
                nt = messages[i].sent_at + timedelta(minutes=rng.randint(1, 90))
                nt = min(nt, now)
                body = text.format(**fmt)
                mentioned_users = [people[h] for h in people if f"@{h}" in body]
                mentioned_teams = [teams[s] for s in teams if f"@{s}" in body]
                recipients = [u.pk for u in mentioned_users]
                for team in mentioned_teams:
                    recipients += members.get(team.slug, [])
                recipients = [pk for pk in dict.fromkeys(recipients) if pk != author.pk]
                notes.append(
                    (
                        Note(
                            org=org,
                            customer=customer,
                            author=author,
                            body=body,
                            mentioned_user_ids=[u.pk for u in mentioned_users],
                            mentioned_team_ids=[t.pk for t in mentioned_teams],
                            created_at=nt,
                            updated_at=nt,
                        ),
                        mentioned_users,
                        mentioned_teams,
                        recipients,
                    )
                )
            plans.append((conversation, messages, notes))

    Conversation.objects.bulk_create([p[0] for p in plans])
    all_messages, all_notes = [], []
    for conversation, messages, notes in plans:
        for m in messages:
            m.conversation = conversation
            all_messages.append(m)
        for note, *_ in notes:
            note.conversation = conversation
            all_notes.append(note)
    Message.objects.bulk_create(all_messages, batch_size=500)
    Note.objects.bulk_create(all_notes, batch_size=500)

    notifications, events = [], []  # events: (timestamp, event dict)
    for conversation, messages, notes in plans:
        customer_name = conversation.customer.name
        snapshot = conversation_resource(conversation)
        opened = {**snapshot, "attributes": {**snapshot["attributes"], "status": "open"}}
        opened["meta"] = {
            "customerName": customer_name,
            "assignedUserName": _name(conversation.assigned_user)
            if conversation.assigned_user
            else None,
            "assignedTeamName": conversation.assigned_team.name
            if conversation.assigned_team
            else None,
        }
        events.append(
            (
                conversation.created_at,
                {
                    "type": "conversation.create",
                    "resource": "conversation",
                    "resource_id": conversation.pk,
                    "customer_id": conversation.customer_id,
                    "rev": 1,
                    "data": opened,
                },
            )
        )
        for m in messages:
            data = message_resource(m)
            data["meta"] = {
                "authorName": _name(m.author) if m.author else None,
                "conversationId": str(conversation.pk),
                "conversationName": conversation.name,
                "customerName": customer_name,
            }
            events.append(
                (
                    m.sent_at,
                    {
                        "type": "conversation.message.create",
                        "resource": "message",
                        "resource_id": m.pk,
                        "customer_id": m.customer_id,
                        "rev": 1,
                        "data": data,
                    },
                )
            )
        for note, users, note_teams, recipients in notes:
            data = note_resource(note)
            data["meta"] = {
                "authorName": _name(note.author),
                "conversationId": str(conversation.pk),
                "conversationName": conversation.name,
                "customerName": customer_name,
                "mentionedUsers": [
                    {"id": str(u.pk), "username": u.username, "displayName": u.display_name}
                    for u in users
                ],
                "mentionedTeams": [
                    {"id": str(t.pk), "slug": t.slug, "name": t.name} for t in note_teams
                ],
            }
            data["notified"] = recipients
            events.append(
                (
                    note.created_at,
                    {
                        "type": "conversation.note.create",
                        "resource": "note",
                        "resource_id": note.pk,
                        "customer_id": note.customer_id,
                        "rev": 1,
                        "data": data,
                    },
                )
            )
            direct = {u.pk for u in users}
            for pk in recipients:
                # worded like note_create's: someone reached only through a team reads the team
                whom = "you"
                if pk not in direct:
                    whom = next(
                        (f"@{t.slug}" for t in note_teams if pk in members.get(t.slug, ())), "you"
                    )
                notifications.append(
                    Notification(
                        org=org,
                        user_id=pk,
                        kind=Notification.Kind.MENTION,
                        note=note,
                        conversation=conversation,
                        customer_id=conversation.customer_id,
                        actor=note.author,
                        text=f"{_name(note.author)} mentioned {whom} on “{conversation.name}”: "
                        f"{make_preview(note.body)}"[:500],
                        read_at=note.created_at + timedelta(hours=2)
                        if note.created_at < now - timedelta(days=7)
                        else None,
                        created_at=note.created_at,
                    )
                )
        if conversation.status != "open":
            at = conversation.last_activity_at + timedelta(minutes=rng.randint(5, 240))
            at = min(at, now)
            data = conversation_resource(conversation)
            data["meta"] = opened["meta"]
            events.append(
                (
                    at,
                    {
                        "type": "conversation.update",
                        "resource": "conversation",
                        "resource_id": conversation.pk,
                        "customer_id": conversation.customer_id,
                        "rev": 2,
                        "data": data,
                        "changes": {"status": {"before": "open", "after": conversation.status}},
                    },
                )
            )
    Notification.objects.bulk_create(notifications, batch_size=500)

    events.sort(key=lambda e: e[0])
    actor = people.get("ada")
    rows = emit_many(org=org, actor=actor, events=[e for _, e in events])
    for (at, spec), row in zip(events, rows, strict=True):
        row.created_at = at
        author = spec["data"].get("relationships", {}).get("author")
        if author:
            row.actor = users_by_id.get(int(author["data"]["id"]))
        elif spec["type"] == "conversation.message.create":
            row.actor = None  # the customer wrote it
    Event.objects.bulk_update(rows, ["created_at", "actor"], batch_size=500)

    latest = {}
    for conversation, *_ in plans:
        cid = conversation.customer_id
        latest[cid] = max(
            latest.get(cid, conversation.last_activity_at), conversation.last_activity_at
        )
    for customer in customers:
        if customer.pk in latest and (
            customer.last_activity_at is None or customer.last_activity_at < latest[customer.pk]
        ):
            customer.last_activity_at = latest[customer.pk]
    Customer.objects.bulk_update(customers, ["last_activity_at"], batch_size=500)


def _seed_tags_and_shortcuts(org, people, now):
    events = []
    if not Tag.objects.filter(org=org).exists():
        tags = Tag.objects.bulk_create(
            [Tag(org=org, name=n, color=c, created_at=now, updated_at=now) for n, c in TAGS]
        )
        events += [
            {
                "type": "tag.create",
                "resource": "tag",
                "resource_id": t.pk,
                "rev": 1,
                "data": tag_resource(t),
            }
            for t in tags
        ]
    owner = people.get("sam") or people.get("ada")
    if owner is not None and not Shortcut.objects.filter(org=org).exists():
        shortcuts = Shortcut.objects.bulk_create(
            [
                Shortcut(
                    org=org,
                    name=n,
                    payload=p,
                    visibility=v,
                    owner=owner,
                    created_at=now,
                    updated_at=now,
                )
                for n, p, v in SHORTCUTS
            ]
        )
        events += [
            {
                "type": "shortcut.create",
                "resource": "shortcut",
                "resource_id": s.pk,
                "rev": 1,
                "data": shortcut_resource(s),
            }
            for s in shortcuts
        ]
    if events:
        emit_many(org=org, actor=owner, events=events)
