"""Plain serializers: a Customer/Company (model instance or `.values()` row) → resource dict.

Shared by the API (responses) and the services (event snapshots); no queries are made here.
"""

from kdesk.representations import iso

CUSTOMER_FIELDS = (
    "id",
    "name",
    "company_id",
    "external_id",
    "emails",
    "phones",
    "socials",
    "urls",
    "locations",
    "tags",
    "locale",
    "time_zone",
    "custom",
    "rev",
    "created_at",
    "updated_at",
    "last_activity_at",
)

COMPANY_FIELDS = (
    "id",
    "name",
    "external_id",
    "domains",
    "tags",
    "custom",
    "rev",
    "created_at",
    "updated_at",
)

# Other names for the same tuples (`.values(*CUSTOMER_VALUES)`).
CUSTOMER_VALUES = CUSTOMER_FIELDS
COMPANY_VALUES = COMPANY_FIELDS


def _row(obj, fields):
    if isinstance(obj, dict):
        return obj
    return {f: getattr(obj, f) for f in fields}


def customer_attributes(row):
    return {
        "name": row["name"],
        "externalId": row["external_id"],
        "emails": row["emails"] or [],
        "phones": row["phones"] or [],
        "socials": row["socials"] or [],
        "urls": row["urls"] or [],
        "locations": row["locations"] or [],
        "tags": row["tags"] or [],
        "locale": row["locale"] or None,
        "timeZone": row["time_zone"] or None,
        "custom": row["custom"] or {},
        "rev": row["rev"],
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
        "lastActivityAt": iso(row["last_activity_at"]),
    }


def customer_resource(obj):
    """A customer from a `.values(*CUSTOMER_FIELDS)` dict or a Customer instance."""
    row = _row(obj, CUSTOMER_FIELDS)
    relationships = {}
    if row["company_id"]:
        relationships["company"] = {"data": {"type": "company", "id": str(row["company_id"])}}
    return {
        "type": "customer",
        "id": str(row["id"]),
        "attributes": customer_attributes(row),
        "relationships": relationships,
        "links": {"self": f"/v1/customers/{row['id']}"},
    }


def customers_resources(rows):
    return [customer_resource(r) for r in rows]


def company_resource(obj):
    """A company from a `.values(*COMPANY_FIELDS)` dict or a Company instance."""
    row = _row(obj, COMPANY_FIELDS)
    return {
        "type": "company",
        "id": str(row["id"]),
        "attributes": {
            "name": row["name"],
            "externalId": row["external_id"],
            "domains": row["domains"] or [],
            "tags": row["tags"] or [],
            "custom": row["custom"] or {},
            "rev": row["rev"],
            "createdAt": iso(row["created_at"]),
            "updatedAt": iso(row["updated_at"]),
        },
        "relationships": {},
        "links": {"self": f"/v1/companies/{row['id']}"},
    }


def companies_resources(rows):
    return [company_resource(r) for r in rows]


# ---- flat views for event `changes` --------------------------------------------------------

_VOLATILE = ("rev", "createdAt", "updatedAt", "lastActivityAt")


def flat(resource):
    """{attribute: value} of a resource dict, custom values as "custom.<name>", links as ids."""
    out = {}
    for key, value in resource["attributes"].items():
        if key in _VOLATILE:
            continue
        if key == "custom":
            for name, v in (value or {}).items():
                out[f"custom.{name}"] = v
        else:
            out[key] = value
    for name, link in resource["relationships"].items():
        out[name] = link["data"]["id"]
    return out


def changes_between(before, after):
    """`changes` {attr: {before, after}} between two resource dicts (either may be None)."""
    b = flat(before) if before else {}
    a = flat(after) if after else {}
    out = {}
    for key in sorted(set(b) | set(a)):
        bv, av = b.get(key), a.get(key)
        if bv != av and not (bv in (None, [], "") and av in (None, [], "")):
            out[key] = {"before": bv, "after": av}
    return out
