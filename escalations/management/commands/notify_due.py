import time

from django.core.management.base import BaseCommand

from escalations.chase import notify_due
from escalations.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "One sweep of the owner's notifications: take every escalation step that is due "
        "(first text, second text, email and chat), then send every text, email or chat "
        "post that is waiting. The worker runs this every minute; running it by hand, or in "
        "several processes at once, never sends anything twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--drain", action="store_true",
            help="Keep sweeping until nothing has been due for two seconds (retries that "
                 "wait for their backoff are left to the worker).",
        )  # fmt: skip

    def handle(self, *args, drain: bool = False, **options):
        totals = {"written": 0, "sent": 0, "retry": 0, "failed": 0}
        idle_since = time.monotonic()
        while True:
            written = notify_due()
            outcome = deliver_due()
            totals["written"] += written
            for key in ("sent", "retry", "failed"):
                totals[key] += outcome.get(key, 0)
            if written or any(outcome.get(k) for k in ("sent", "retry", "failed")):
                idle_since = time.monotonic()
            if not drain or time.monotonic() - idle_since > 2:
                break
            time.sleep(0.2)
        self.stdout.write(
            f"{totals['written']} written, {totals['sent']} sent, {totals['retry']} to retry, "
            f"{totals['failed']} given up."
        )
