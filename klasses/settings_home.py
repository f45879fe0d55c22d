"""The data-model card of the settings home page: Klasses, and how many KViews and validation
rules the org has (kdesk.settings_home)."""

from klasses.models import Klass, KView, ValidationRule


def data_model(org):
    return {
        "klasses": Klass.objects.filter(org=org).order_by("name"),
        "kview_count": KView.objects.filter(org=org).count(),
        "rule_count": ValidationRule.objects.filter(org=org).count(),
    }


def klass_labels(org, names):
    """{`kobject.<name>`: display name} for the Activity page (kdesk.settings_activity)."""
    wanted = [n[len("kobject.") :] for n in names if n.startswith("kobject.")]
    if not wanted:
        return {}
    rows = Klass.objects.filter(org=org, name__in=wanted).values_list("name", "display_name")
    return {f"kobject.{name}": label for name, label in rows}
