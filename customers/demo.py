"""Demo data: ~20 companies and ~200 customers with identities, locales, time zones and the
custom attributes tierStr / lifetimeValueNum / vipBool. Idempotent: nothing happens when the
org already has customers. Rows are bulk-inserted and their events recorded with emit_many."""

import random
from datetime import timedelta

from django.utils import timezone

from customers.models import Company, Customer, Identity
from customers.representations import changes_between, company_resource, customer_resource
from customers.services import normalize_phone, social_key
from kdesk.events import emit_many

COMPANIES = [
    ("Northwind Traders", "northwind.example"),
    ("Globex Outdoor", "globex-outdoor.example"),
    ("Initech Supply", "initech.example"),
    ("Umbrella Camping", "umbrella-camping.example"),
    ("Hooli Trails", "hooli-trails.example"),
    ("Vandelay Imports", "vandelay.example"),
    ("Stark Expeditions", "stark-expeditions.example"),
    ("Wayne Alpine", "wayne-alpine.example"),
    ("Acme Rentals", "acme-rentals.example"),
    ("Soylent Provisions", "soylent.example"),
    ("Wonka Adventures", "wonka-adventures.example"),
    ("Cyberdyne Gear", "cyberdyne-gear.example"),
    ("Tyrell Mountain Co", "tyrell-mountain.example"),
    ("Oscorp Cycling", "oscorp-cycling.example"),
    ("Pied Piper Paddle", "piedpiper-paddle.example"),
    ("Dunder Mifflin Outdoors", "dundermifflin.example"),
    ("Gringotts Travel", "gringotts-travel.example"),
    ("Monarch Ski Club", "monarch-ski.example"),
    ("Sterling Surf", "sterling-surf.example"),
    ("Blue Sun Rangers", "bluesun.example"),
]

FIRST = [
    "Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
    "Frances", "Edsger", "Hedy", "Donald", "Radia", "Tim", "Sophie", "Guido", "Annie",
    "Bjarne", "Joan", "Yukihiro", "Lucía", "Mateo", "Amara", "Kwame", "Ingrid", "Priyanka",
    "Hiroshi", "Chiara", "Olu", "Fatima", "Lars", "Mei", "Diego", "Noor", "Tomasz",
]  # fmt: skip
LAST = [
    "Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov",
    "Thompson", "Allen", "Dijkstra", "Lamarr", "Knuth", "Perlman", "Berners-Lee", "Wilson",
    "van Rossum", "Easley", "Stroustrup", "Clarke", "Matsumoto", "García", "Rossi", "Okafor",
    "Mensah", "Larsen", "Patel", "Tanaka", "Bianchi", "Adeyemi", "Haddad", "Nilsson", "Chen",
    "Fernández", "Khan", "Kowalski",
]  # fmt: skip
# (locale, time zone, E.164 phone pattern)
PLACES = [
    ("en-US", "America/New_York", "+1212555{:04d}"),
    ("en-US", "America/Chicago", "+1312555{:04d}"),
    ("en-US", "America/Los_Angeles", "+1415555{:04d}"),
    ("en-GB", "Europe/London", "+4420794{:05d}"),
    ("fr-FR", "Europe/Paris", "+3314255{:04d}"),
    ("de-DE", "Europe/Berlin", "+4930901{:05d}"),
    ("es-ES", "Europe/Madrid", "+3491123{:04d}"),
    ("it-IT", "Europe/Rome", "+3906698{:05d}"),
    ("ja-JP", "Asia/Tokyo", "+8133123{:04d}"),
    ("en-AU", "Australia/Sydney", "+6129374{:04d}"),
    ("pt-BR", "America/Sao_Paulo", "+5511312{:05d}"),
    ("en-IN", "Asia/Kolkata", "+9122612{:05d}"),
]
TIERS = [("bronze", 0.45), ("silver", 0.3), ("gold", 0.18), ("platinum", 0.07)]
CUSTOMERS = 200


def _slug(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _tier(rng):
    roll, acc = rng.random(), 0.0
    for tier, share in TIERS:
        acc += share
        if roll < acc:
            return tier
    return TIERS[-1][0]


def seed(org, people):
    if Customer.objects.filter(org=org).exists():
        return
    rng = random.Random(4242)
    now = timezone.now()
    actor = people.get("ada") if people else None

    companies = []
    for index, (name, domain) in enumerate(COMPANIES):
        at = now - timedelta(days=400 - index)
        companies.append(
            Company(
                org=org,
                name=name,
                external_id=f"co-{index + 1:03d}",
                domains=[domain],
                custom={},
                created_at=at,
                updated_at=at,
            )
        )
    companies = Company.objects.bulk_create(companies)

    customers, seen_emails = [], set()
    for n in range(CUSTOMERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        locale, tz, phone_pattern = rng.choice(PLACES)
        company = companies[n % len(companies)] if rng.random() < 0.8 else None
        domain = company.domains[0] if company else rng.choice(["mail.example", "post.example"])
        email = f"{_slug(first)}.{_slug(last)}{n}@{domain}"
        seen_emails.add(email)
        tier = _tier(rng)
        ltv = round(rng.uniform(20, 400) * {"bronze": 1, "silver": 4, "gold": 12}.get(tier, 40), 2)
        at = now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
        socials = (
            [{"type": "twitter", "userid": None, "username": f"{_slug(first)}{n}"}]
            if rng.random() < 0.25
            else []
        )
        customers.append(
            Customer(
                org=org,
                name=f"{first} {last}",
                company=company,
                external_id=f"cus-{n + 1:05d}",
                emails=[{"type": "work" if company else "home", "email": email}],
                phones=[
                    {"type": "mobile", "phone": normalize_phone(phone_pattern.format(1000 + n))}
                ],
                socials=socials,
                urls=[],
                locations=[],
                tags=["vip"] if tier == "platinum" else [],
                locale=locale,
                time_zone=tz,
                custom={
                    "tierStr": tier,
                    "lifetimeValueNum": ltv,
                    "vipBool": tier in ("gold", "platinum"),
                },
                created_at=at,
                updated_at=at,
                # never ahead of now: a customer created yesterday was last seen by today
                last_activity_at=min(at + timedelta(days=rng.randint(0, 30)), now),
            )
        )
    _record_definitions(org, customers[0].custom)
    customers = Customer.objects.bulk_create(customers)

    identities = []
    for c in customers:
        for item in c.emails:
            identities.append(Identity(org=org, customer=c, kind="email", value=item["email"]))
        for item in c.phones:
            identities.append(Identity(org=org, customer=c, kind="phone", value=item["phone"]))
        for item in c.socials:
            identities.append(Identity(org=org, customer=c, kind="social", value=social_key(item)))
    Identity.objects.bulk_create(identities)

    events = []
    for company in companies:
        data = company_resource(company)
        events.append(
            {
                "type": "company.create",
                "resource": "company",
                "resource_id": company.pk,
                "rev": company.rev,
                "data": data,
                "changes": changes_between(None, data),
                "at": company.created_at,
            }
        )
    for c in customers:
        data = customer_resource(c)
        events.append(
            {
                "type": "customer.create",
                "resource": "customer",
                "resource_id": c.pk,
                "customer_id": c.pk,
                "rev": c.rev,
                "data": data,
                "changes": changes_between(None, data),
                "at": c.created_at,
            }
        )
    emit_many(org=org, actor=actor, events=events)


def _record_definitions(org, sample):
    """Let the attribute engine validate one sample and record the three definitions."""
    try:
        from klasses.attributes import clean_custom
    except ImportError:  # pragma: no cover - klasses is always installed
        return
    clean_custom(org=org, resource="customer", values=sample)
