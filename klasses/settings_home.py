"""The data-model card of the settings home page: Klasses, and how many KViews and validation
rules the org has (kdesk.settings_home)."""

from klasses.models import Klass, KView, ValidationRule


def data_model(org):
    return {
        "klasses": Klass.objects.filter(org=org).order_by("name"),
        "kview_count": KView.objects.filter(org=org).count(),
        "rule_count": ValidationRule.objects.filter(org=org).count(),
    }
