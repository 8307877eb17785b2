from django.core.management.base import BaseCommand

from escalations.services import deliver_due, notify_due


class Command(BaseCommand):
    help = (
        "One sweep of the owner's notifications: take every escalation step that is due "
        "(first text, second text, email and chat), then send every text, email or chat "
        "post that is waiting. The worker runs this every minute; running it by hand, or in "
        "several processes at once, never sends anything twice."
    )

    def handle(self, *args, **options):
        written = notify_due()
        outcome = deliver_due()
        sent = outcome.get("sent", 0)
        self.stdout.write(
            f"{written} written, {sent} sent, {outcome.get('retry', 0)} to retry, "
            f"{outcome.get('failed', 0)} given up."
        )
