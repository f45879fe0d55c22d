"""Reads of customers and companies. Lookups are one indexed query returning a `.values()` row."""

import django_filters
from django.db.models import Subquery

from customers.models import Company, Customer, Identity
from customers.representations import COMPANY_FIELDS, CUSTOMER_FIELDS
from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter
from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.payload import as_id
from kdesk.prepared import PreparedValues


def _normalize_phone(raw):
    from customers.services import normalize_phone

    return normalize_phone(raw)


# The plans must not depend on statistics (a fresh install has none until autovacuum gets to
# the tables): the identity is found through the only index that starts with org, kind and
# value, and the customer through its primary key, with no other condition a different index
# could serve. The identity's org scopes the lookup; the row's org is checked again in Python
# (_by_identity), where no index choice depends on it. [:1]: no ORDER BY on a unique match.
_BY_IDENTITY = PreparedValues(
    lambda org, kind, value: Customer.objects.filter(
        pk=Subquery(
            Identity.objects.filter(org_id=org, kind=kind, value=value).values("customer_id")[:1]
        )
    ).values("org_id", *CUSTOMER_FIELDS)[:1],
    ints=("org",),
    strings=("kind", "value"),
)
# Every index of the table starts with org, so without statistics a plain `external_id = %s`
# ties with them on cost and may lose to a scan of the whole org. Asked as a closed range in
# externalId order (the same single row under a deterministic collation), only the unique
# (org, external_id) index returns it without a sort, and it wins whatever the statistics say.
_BY_EXTERNAL_ID = PreparedValues(
    lambda org, external_id: (
        Customer.objects.filter(
            org_id=org, external_id__gte=external_id, external_id__lte=external_id
        )
        .order_by("external_id")
        .values(*CUSTOMER_FIELDS)[:1]
    ),
    ints=("org",),
    strings=("external_id",),
)


def _org_id(org):
    return getattr(org, "pk", org)


def _by_identity(org, kind, value):
    if not value:
        return None
    org_id = _org_id(org)
    rows = _BY_IDENTITY.rows(org=org_id, kind=str(kind), value=value)
    if not rows or rows[0].pop("org_id") != org_id:
        return None
    return rows[0]


def customer_by_email(*, org, email):
    return _by_identity(org, Identity.Kind.EMAIL, (email or "").strip().lower())


def customer_by_phone(*, org, phone):
    """Any format `phonenumbers` parses ("+1 (415) 555-0123", "4155550123" in the US)."""
    return _by_identity(org, Identity.Kind.PHONE, _normalize_phone(phone))


def customer_by_social(*, org, handle):
    """`<type>:<userid>` (or `<type>:@<username>`), as the API's social= lookup writes it."""
    kind, sep, ident = (handle or "").strip().partition(":")
    if not sep or not kind or not ident:
        return None
    from customers.services import social_key

    handle = (
        {"type": kind, "username": ident[1:]}
        if ident[0] == "@"
        else {"type": kind, "userid": ident}
    )
    return _by_identity(org, Identity.Kind.SOCIAL, social_key(handle))


def company_customers(*, org, company_id, filters=None):
    """A company's customers, with the customer list's filters and sorts."""
    filters = filters.copy() if filters is not None else {}
    filters["company"] = str(company_id)
    return customers_list(org=org, filters=filters)


def customer_by_external_id(*, org, external_id):
    if not external_id:
        return None
    rows = _BY_EXTERNAL_ID.rows(org=_org_id(org), external_id=external_id)
    return rows[0] if rows else None


_EXISTS = PreparedValues(
    lambda org, pk: Customer.objects.filter(org_id=org, pk=pk).values("id")[:1],
    ints=("org", "pk"),
)


def customer_exists(*, org, pk):
    """Whether `pk` is one of org's customers (a primary-key read compiled once)."""
    pk = as_id(pk)
    return pk is not None and bool(_EXISTS.rows(org=_org_id(org), pk=pk))


def customer_get(*, org, pk):
    """The customer instance (for services), or NotFound; another org's id is not found."""
    customer = Customer.objects.filter(org=org, pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer with id {pk}.")
    return customer


def company_get(*, org, pk):
    company = Company.objects.filter(org=org, pk=pk).first()
    if company is None:
        raise NotFound(f"No company with id {pk}.")
    return company


SORT_FIELDS = (("created_at", "createdAt"), ("updated_at", "updatedAt"), ("name", "name"))
SORTS = [name for _, name in SORT_FIELDS] + ["-" + name for _, name in SORT_FIELDS]


class _StableOrdering(django_filters.OrderingFilter):
    """`sort=createdAt|-updatedAt|name…`; ties broken by id in the same direction."""

    def filter(self, qs, value):
        if not value:
            value = ["createdAt"]
        ordering = self.get_ordering_value(value[0])
        tiebreak = "-id" if ordering.startswith("-") else "id"
        return qs.order_by(ordering, tiebreak)


class _Sorted(django_filters.FilterSet):
    sort = _StableOrdering(fields=SORT_FIELDS)


class CustomerFilter(_Sorted):
    """Query-string filters of `GET /v1/customers`."""

    updatedAfter = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")
    updatedSince = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    externalId = django_filters.CharFilter(field_name="external_id")
    email = django_filters.CharFilter(method="by_email")
    company = IdFilter(field_name="company_id")

    class Meta:
        model = Customer
        fields = []

    def by_email(self, queryset, name, value):
        owners = Identity.objects.filter(
            org_id=self.org_id, kind=Identity.Kind.EMAIL, value=value.strip().lower()
        ).values("customer_id")
        return queryset.filter(pk__in=Subquery(owners))


class CompanyFilter(_Sorted):
    updatedAfter = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")
    updatedSince = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    externalId = django_filters.CharFilter(field_name="external_id")
    name = django_filters.CharFilter(field_name="name")

    class Meta:
        model = Company
        fields = []


def _apply(filterset_class, org, queryset, filters):
    fs = filterset_class(filters or {}, queryset=queryset)
    fs.org_id = org.pk
    if not fs.is_valid():
        errors = []
        for name, messages in fs.errors.items():
            for message in messages:
                if name == "sort":
                    message = f"sort must be one of {', '.join(SORTS)}."
                errors.append(FieldError(f"/{name}", "invalid", str(message)))
        raise ValidationFailed(errors)
    return fs.qs


def customers_list(*, org, filters=None):
    """Filtered, sorted `.values()` rows; `filters` is a QueryDict or dict of query params."""
    qs = Customer.objects.filter(org=org)
    return _apply(CustomerFilter, org, qs, filters).values(*CUSTOMER_FIELDS)


def companies_list(*, org, filters=None):
    qs = Company.objects.filter(org=org)
    return _apply(CompanyFilter, org, qs, filters).values(*COMPANY_FIELDS)


def customers_text_search(*, org, q, fields, after=None, limit=50):
    """(rows, next_after): customers every word of `q` matches, in any order, ignoring case
    and accents ("tanaka ken" finds "Ken Tanaka", "fernandez" finds "Fernández"), a word
    matching part of the name, of an email or phone ("mail.example" finds the domain), or
    the whole external id (as written). Ranked: the whole query as the name, then names starting with it as a
    word, then as a prefix, then names holding it, then the rest; newest first within a rank. `after` is the
    (rank, id) of the previous page's last row. One query per page."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from kdesk.search.text import Folded, fold, words

    terms = words(q)
    qs = Customer.objects.filter(org=org)
    if not terms:
        return [], None
    phrase = " ".join(terms)
    qs = qs.annotate(folded_name=Folded("name"))
    # An external id is matched whole and as written (its unique index answers).
    external = Customer.objects.filter(org=org, external_id__in=(q or "").split()[:8])
    external = external.values("id")
    for word in terms:
        # Each word: the ids whose folded name, an identity or the external id hold it, one
        # IN (… UNION …) so PostgreSQL reads every part from its own (trigram) index.
        named = (
            Customer.objects.filter(org=org)
            .annotate(folded=Folded("name"))
            .filter(folded__contains=word)
            .values("id")
        )
        identities = Identity.objects.filter(org=org, value__contains=word).values("customer_id")
        qs = qs.filter(pk__in=named.union(identities, external))
    raw = (q or "").strip()
    qs = qs.annotate(
        rank=Case(
            When(folded_name=fold(" ".join(raw.split())), then=Value(0)),
            When(folded_name__startswith=phrase + " ", then=Value(1)),
            When(folded_name__startswith=phrase, then=Value(2)),
            When(folded_name__contains=phrase, then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        )
    )
    if after is not None:
        rank, pk = after
        qs = qs.filter(Q(rank__gt=rank) | Q(rank=rank, pk__lt=pk))
    rows = list(qs.order_by("rank", "-id").values(*fields, "rank")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1]["rank"], rows[-1]["id"]) if more and rows else None)
