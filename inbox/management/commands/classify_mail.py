from django.core.management.base import BaseCommand

from inbox.classify import act_on_decisions, classify_pending, message_classify
from inbox.models import Folder, Message


class Command(BaseCommand):
    help = (
        "Apply the mail rules to every mail not decided yet (the worker does this after each "
        "sync). With --rerun, decide again on the mail still in Inbox and Spam."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rerun",
            action="store_true",
            help="Also re-run the rules on mail already decided that is still in Inbox/Spam.",
        )

    def handle(self, *args, **opts):
        report = classify_pending()
        act_on_decisions()
        for kind, count in sorted(report.decided.items()):
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(f"{report.total} mails decided.")
        if opts["rerun"]:
            changed = 0
            handled = Message.objects.filter(
                classified_at__isnull=False,
                uid__isnull=False,
                folder__role__in=[Folder.Role.INBOX, Folder.Role.SPAM],
            )
            for message in handled.only("pk", "kind").iterator():
                before = message.kind
                changed += message_classify(message=message, by=None) != before
            self.stdout.write(f"Re-ran the rules on decided mail: {changed} changed.")
