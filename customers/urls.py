"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`).

`customers/<int:pk>` only matches digits, so `customers/search` (another app's) stays free;
external ids may hold slashes (kdesk.api.routing.ExternalIdConverter).
"""

from customers import api
from kdesk.api.routing import api_path

urlpatterns = []

api_urlpatterns = [
    *api_path("customers", api.CustomerListView.as_view(), name="api-customers"),
    *api_path("customers/merges", api.CustomerMergeView.as_view(), name="api-customer-merges"),
    *api_path(
        "customers/email=<str:email>",
        api.CustomerByEmailView.as_view(),
        name="api-customer-by-email",
    ),
    *api_path(
        "customers/phone=<str:phone>",
        api.CustomerByPhoneView.as_view(),
        name="api-customer-by-phone",
    ),
    *api_path(
        "customers/externalId=<external_id:external_id>",
        api.CustomerByExternalIdView.as_view(),
        name="api-customer-by-external-id",
    ),
    *api_path(
        "customers/social=<str:social>",
        api.CustomerBySocialView.as_view(),
        name="api-customer-by-social",
    ),
    *api_path("customers/<int:pk>", api.CustomerDetailView.as_view(), name="api-customer"),
    *api_path("companies", api.CompanyListView.as_view(), name="api-companies"),
    *api_path("companies/<int:pk>", api.CompanyDetailView.as_view(), name="api-company"),
    *api_path(
        "companies/<int:pk>/customers",
        api.CompanyCustomerListView.as_view(),
        name="api-company-customers",
    ),
]
