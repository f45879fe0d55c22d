import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kdesk import demo, table_stats


def app_seeders():
    """Each app that has demo data exposes `<app>.demo.seed(org, people)`; they run in
    INSTALLED_APPS order (an app's data may point at the apps before it). Only this project's
    apps are asked (the core seeds itself first)."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.name
        for config in apps.get_app_configs()
        if config.name != "kdesk" and Path(config.path).resolve().parent == root
    ]


class Command(BaseCommand):
    help = "Create (or complete) the demo organization; running it again changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            org, people = demo.seed()
        for app in app_seeders():
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(org, people)
        # Fresh statistics for what was just loaded, so the first requests run on real plans.
        table_stats.analyze()
        self.stdout.write("Demo data ready. Sign in at http://127.0.0.1:8000/login/ with:")
        for email, role in demo.LOGINS:
            self.stdout.write(f"  {role:<6} {email} / {demo.PASSWORD}")
