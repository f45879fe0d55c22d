"""Start what is due now (cron workflows, snoozes that ended, lost runs) and make sure the
worker's tick chain is alive. For the shell, or a system cron on a deployment without workers
that can defer tasks."""

from django.core.management.base import BaseCommand

from workflows import scheduler


class Command(BaseCommand):
    help = "Fire due cron workflows, wake conversations whose snooze ended, start the tick chain."

    def handle(self, *args, **options):
        done = scheduler.tick_once()
        scheduler.ensure_ticking()
        self.stdout.write(
            f"{done['scheduled']} scheduled run(s) started, {done['woken']} conversation(s) "
            f"woken, {done['swept']} run(s) swept."
        )
