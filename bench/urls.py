"""kdesk's URLs plus bare views doing the same indexed reads without auth or rendering."""

from django.http import JsonResponse
from django.urls import include, path

_org_ids = {}


def bare_email_lookup(request):
    """The same indexed lookup as GET /v1/customers/email=…, without auth or rendering."""
    from customers.models import Customer
    from kdesk.models import Organization

    if "bench" not in _org_ids:
        _org_ids["bench"] = Organization.objects.get(slug="bench").pk
    org_id = _org_ids["bench"]
    email = request.GET.get("email", "").lower()
    rows = Customer.objects.filter(
        org_id=org_id, identities__org_id=org_id, identities__kind="email", identities__value=email
    ).values()[:1]
    return JsonResponse({"data": rows[0] if rows else None}, status=200 if rows else 404)


urlpatterns = [
    path("bare/lookup", bare_email_lookup),
    path("", include("kdesk.urls")),
]
