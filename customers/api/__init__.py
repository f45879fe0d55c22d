"""`/v1/customers…` and `/v1/companies…`, by topic. Views call services and selectors only;
reads are `.values()` rows through the plain serializers of `customers.representations`."""

from .companies import CompanyCustomerListView, CompanyDetailView, CompanyListView
from .customers import CustomerDetailView, CustomerListView, CustomerMergeView
from .lookups import (
    CustomerByEmailView,
    CustomerByExternalIdView,
    CustomerByPhoneView,
    CustomerBySocialView,
)

__all__ = [
    "CompanyCustomerListView",
    "CompanyDetailView",
    "CompanyListView",
    "CustomerByEmailView",
    "CustomerByExternalIdView",
    "CustomerByPhoneView",
    "CustomerBySocialView",
    "CustomerDetailView",
    "CustomerListView",
    "CustomerMergeView",
]
