"""The app's tables live in their rooms; Django finds them here."""

from apps_directory.catalog.models import Installation, InstalledFeature  # noqa: F401
from apps_directory.hooks.models import Hook  # noqa: F401
from apps_directory.webhooks.models import (  # noqa: F401
    Delivery,
    DeliveryAttempt,
    DispatchClock,
    OutboundWebhook,
)
