"""Every write to customers and companies, by topic. Each function validates the whole flat
payload first (one ValidationFailed with every pointer), then writes atomically and emits
exactly one event (see `customers.py` for the error statuses)."""

from .checks import normalize_phone, social_key
from .companies import (
    clean_company,
    company_check,
    company_create,
    company_delete,
    company_update,
)
from .customers import (
    clean_customer,
    customer_check,
    customer_create,
    customer_delete,
    customer_update,
    customer_upsert_by_external_id,
)
from .merge import customer_merge

__all__ = [
    "clean_company",
    "clean_customer",
    "company_check",
    "company_create",
    "company_delete",
    "company_update",
    "customer_check",
    "customer_create",
    "customer_delete",
    "customer_merge",
    "customer_update",
    "customer_upsert_by_external_id",
    "normalize_phone",
    "social_key",
]
