"""OpenAPI descriptions of customers and companies and their request bodies (the DRF serializers
only DOCUMENT shapes for drf-spectacular: validation is the services', responses are built by
`customers.representations`), and the shared query parameters."""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema_field
from rest_framework import serializers

from customers import selectors
from customers.services import checks
from kdesk.api.openapi import an_id
from kdesk.text import NOT_BLANK_PATTERN

# checks.DOMAIN_RE, read after lower-casing: every lower-case class takes upper case too
DOMAIN_PATTERN = checks.DOMAIN_RE.pattern.replace("[a-z", "[A-Za-z")
# ---- schema documentation -------------------------------------------------------------------


class CustomerEmailSerializer(serializers.Serializer):
    type = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="home, work, other…"
    )
    email = serializers.EmailField()


class CustomerPhoneSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, help_text="mobile, home, work, other…")
    phone = serializers.CharField(help_text="Any format; stored as E.164 (+14155550123).")


class CustomerPhoneInputSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, allow_blank=True, allow_null=True)  # blank: none
    phone = serializers.RegexField(
        r"^\+1[2-9][0-9]{9}$",
        help_text="Any format phonenumbers can read as a possible number (international, e.g. "
        "+14155550123); this document only promises the North American one.",
    )


class CustomerSocialSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="twitter, facebook, instagram, linkedin…")
    userid = serializers.CharField(required=False, allow_null=True)
    username = serializers.CharField(required=False, allow_null=True)


def _handle(name):
    return {
        "required": [name],
        "properties": {name: {"type": "string", "pattern": NOT_BLANK_PATTERN}},
    }


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "type": {
                    "type": "string",
                    "maxLength": checks.TYPE_MAX,
                    "pattern": NOT_BLANK_PATTERN,
                },
                "userid": {"type": ["string", "null"], "maxLength": 255},
                "username": {"type": ["string", "null"], "maxLength": 255},
            },
            "required": ["type"],
            # checks.Checker.socials: a handle needs a userid or a username (not blank)
            "anyOf": [_handle("userid"), _handle("username")],
        },
    }
)
class CustomerSocialsInputField(serializers.ListField):
    pass


class CustomerUrlSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, allow_blank=True, allow_null=True)  # blank: none
    url = serializers.URLField()


class CustomerLocationSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, allow_blank=True, allow_null=True)  # blank: none
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    address2 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    address3 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    region = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    state = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    zip = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    postalCode = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    countryCode = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    countryName = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )


class CustomerInputSerializer(serializers.Serializer):
    # a customer may have no name (known by an email or phone): null, blank and spaces all
    # store it as "" (customers/services/customers.py)
    name = serializers.CharField(required=False, max_length=255, allow_blank=True, allow_null=True)
    externalId = serializers.CharField(
        required=False,
        max_length=255,
        allow_null=True,
        allow_blank=True,  # blank: none
    )
    emails = CustomerEmailSerializer(many=True, required=False, allow_null=True)  # null: none
    phones = CustomerPhoneInputSerializer(many=True, required=False, allow_null=True)
    socials = CustomerSocialsInputField(required=False, allow_null=True)
    urls = CustomerUrlSerializer(many=True, required=False, allow_null=True)
    locations = CustomerLocationSerializer(many=True, required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.RegexField(NOT_BLANK_PATTERN),
        required=False,
        allow_null=True,  # names, not blank
    )
    locale = serializers.RegexField(
        checks.LOCALE_RE.pattern,
        max_length=20,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="e.g. en-US",
    )
    timeZone = serializers.ChoiceField(
        sorted(checks.time_zones()),
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="IANA name, e.g. Europe/Paris",
    )
    company = an_id(
        required=False, allow_null=True, blank=True, help_text='Company id; "" or null: none.'
    )
    custom = serializers.DictField(required=False, help_text="Custom attributes by name.")
    rev = serializers.IntegerField(
        required=False, help_text="The rev this update was prepared against (409 when stale)."
    )


class CustomerAttributesSerializer(serializers.Serializer):
    name = serializers.CharField()
    externalId = serializers.CharField(allow_null=True)
    emails = CustomerEmailSerializer(many=True)
    phones = CustomerPhoneSerializer(many=True)
    socials = CustomerSocialSerializer(many=True)
    urls = CustomerUrlSerializer(many=True)
    locations = CustomerLocationSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    locale = serializers.CharField(allow_null=True)
    timeZone = serializers.CharField(allow_null=True)
    custom = serializers.DictField()
    rev = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    lastActivityAt = serializers.DateTimeField(allow_null=True)


class CustomerRefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class CustomerLinkSerializer(serializers.Serializer):
    data = CustomerRefSerializer()


class CustomerRelationshipsSerializer(serializers.Serializer):
    company = CustomerLinkSerializer(required=False)


class CustomerSelfLinkSerializer(serializers.Serializer):
    self = serializers.CharField()


class CustomerResourceSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    attributes = CustomerAttributesSerializer()
    relationships = CustomerRelationshipsSerializer()
    links = CustomerSelfLinkSerializer()


class CustomerDocumentSerializer(serializers.Serializer):
    data = CustomerResourceSerializer()


class CustomerPageMetaSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    total = serializers.IntegerField()
    totalPages = serializers.IntegerField()


class CustomerPageLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    first = serializers.CharField()
    prev = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class CustomerPageSerializer(serializers.Serializer):
    meta = CustomerPageMetaSerializer()
    links = CustomerPageLinksSerializer()
    data = CustomerResourceSerializer(many=True)


class CustomerMergeInputSerializer(serializers.Serializer):
    source = an_id(help_text="Id of the customer that is merged and deleted.")
    target = an_id(help_text="Id of the customer that remains.")


class CompanyInputSerializer(serializers.Serializer):
    name = serializers.RegexField(NOT_BLANK_PATTERN, max_length=255)  # not blank
    externalId = serializers.CharField(
        required=False,
        max_length=255,
        allow_null=True,
        allow_blank=True,  # blank: none
    )
    domains = serializers.ListField(
        child=serializers.RegexField(DOMAIN_PATTERN), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.RegexField(NOT_BLANK_PATTERN),
        required=False,
        allow_null=True,  # names, not blank
    )
    custom = serializers.DictField(required=False)
    rev = serializers.IntegerField(required=False)


class CompanyAttributesSerializer(serializers.Serializer):
    name = serializers.CharField()
    externalId = serializers.CharField(allow_null=True)
    domains = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    custom = serializers.DictField()
    rev = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class CompanyResourceSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    attributes = CompanyAttributesSerializer()
    relationships = serializers.DictField()
    links = CustomerSelfLinkSerializer()


class CompanyDocumentSerializer(serializers.Serializer):
    data = CompanyResourceSerializer()


class CompanyPageSerializer(serializers.Serializer):
    meta = CustomerPageMetaSerializer()
    links = CustomerPageLinksSerializer()
    data = CompanyResourceSerializer(many=True)


PAGE = [
    OpenApiParameter("page", int, description="1-based page number."),
    OpenApiParameter("pageSize", int, description="Rows per page, at most 100."),
]
SORT = OpenApiParameter(
    "sort",
    str,
    enum=selectors.SORTS,
    description="Order; ties are broken by id. Default createdAt.",
)
UPDATED = [
    OpenApiParameter("updatedAfter", OpenApiTypes.DATETIME, description="updatedAt > this."),
    OpenApiParameter("updatedSince", OpenApiTypes.DATETIME, description="updatedAt ≥ this."),
]
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")


def body_of(request):
    return request.data
