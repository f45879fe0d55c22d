"""kdesk's URLs plus bare views doing the same indexed reads without auth or rendering."""

from django.http import JsonResponse
from django.urls import include, path


def bare_email_lookup(request):
    from customers.models import Customer

    email = request.GET.get("email", "").lower()
    row = (
        Customer.objects.filter(
            org__slug="bench", identities__kind="email", identities__value=email
        )
        .values("id", "name", "emails", "custom", "rev", "updated_at")
        .first()
    )
    return JsonResponse({"data": row}, status=200 if row else 404)


urlpatterns = [
    path("bare/lookup", bare_email_lookup),
    path("", include("kdesk.urls")),
]
