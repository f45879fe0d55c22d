"""`manage.py fetch_mail`: one round of IMAP polling (and the outbox and orphan-file sweeps). The
task worker runs the same round every MAIL_POLL_SECONDS; this is for running it by hand or from
cron."""

from django.core.management.base import BaseCommand

from mail import schedule
from mail.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from every IMAP mailbox (or the ones given) into the desk."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", type=int, action="append", help="Only this mailbox id.")

    def handle(self, *args, **options):
        fetched = schedule.round_once(options.get("mailbox"))
        for pk, count in fetched.items():
            box = Mailbox.objects.get(pk=pk)
            if box.imap_error:
                self.stderr.write(f"{box.address}: {box.imap_error}")
            elif count is None:
                self.stdout.write(f"{box.address}: another fetch is running")
            else:
                self.stdout.write(f"{box.address}: {count} new")
