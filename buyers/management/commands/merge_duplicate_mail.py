from django.core.management.base import BaseCommand

from buyers.duplicates import duplicates_merge


class Command(BaseCommand):
    help = (
        "Merge mail the desk stored twice (before it recognised mail another client moved "
        "between Inbox and Spam): keeps the mail as first decided, where the server has it "
        "now, with every escalation, reply and action of both; cancels the duplicate "
        "escalations with the reason. Safe to run again: it finds nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be merged; change nothing."
        )

    def handle(self, *args, **opts):
        merges = duplicates_merge(dry_run=opts["dry_run"])
        verb = "Would merge" if opts["dry_run"] else "Merged"
        for merge in merges:
            cancelled = ", ".join(merge.cancelled) or "none"
            self.stdout.write(
                f"{verb} mail {', '.join(map(str, merge.merged))} into {merge.kept} "
                f"({merge.subject or '(no subject)'}; now {merge.where}); "
                f"duplicate escalations cancelled: {cancelled}"
            )
        self.stdout.write(
            f"{len(merges)} mail stored twice {'found' if opts['dry_run'] else 'merged'}."
        )
