import gc
import signal
import sys
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from inbox.imap import MailServerError
from inbox.models import Mailbox
from inbox.sync import LEASE, mailbox_from_settings, mailbox_sync
from inbox.watch import watch


class Command(BaseCommand):
    help = (
        "Sync the Inbox and Spam folders of every mailbox into the desk (IMAP_URL is the "
        "default mailbox; more are added in admin). Prints progress and, per folder, how "
        "many mails were new, changed, removed or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--watch",
            action="store_true",
            help="Stay connected (IMAP IDLE) and sync as mail arrives, until Ctrl-C.",
        )
        parser.add_argument("--mailbox", help="Only the mailbox with this name.")

    def handle(self, *args, **opts):
        # What Django set up lives as long as the command: the collector need not walk it
        # again on every pass of a sync that allocates for thousands of mails.
        gc.freeze()
        self.verbosity = opts["verbosity"]
        mailbox_from_settings()
        mailboxes = Mailbox.objects.filter(is_active=True)
        if opts["mailbox"]:
            mailboxes = mailboxes.filter(name=opts["mailbox"])
        mailboxes = list(mailboxes)
        if not mailboxes:
            raise CommandError(
                "No mailbox to sync: set IMAP_URL (imap://user:password@host:port) or add "
                "a mailbox in admin."
            )
        if not opts["watch"]:
            failures = self.run_pass(mailboxes)
            if failures:
                raise CommandError("; ".join(failures))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write("Watching for new mail (Ctrl-C stops).")
        try:
            watch(mailboxes, lambda: self.run_pass(mailboxes), stop=stop, listening=self.listening)
        except KeyboardInterrupt:
            stop.set()

    def run_pass(self, mailboxes) -> list[str]:
        failures = []
        for mailbox in mailboxes:
            try:
                report = mailbox_sync(mailbox=mailbox, progress=self.progress)
            except MailServerError as exc:
                failures.append(f"{mailbox.name}: {exc}")
                self.stderr.write(f"{mailbox.name}: {exc}")
                continue
            except DatabaseError as exc:
                # What was stored is kept and the server is untouched; the next pass goes on.
                failures.append(f"{mailbox.name}: the database refused a write ({exc})")
                self.stderr.write(failures[-1])
                continue
            if report.skipped:
                self.stdout.write(
                    f"{mailbox.name}: another sync of this mailbox is running (or one that "
                    f"failed holds it for up to {LEASE.total_seconds() / 60:.0f} minutes)."
                )
                continue
            for folder in report.folders:
                self.stdout.write(
                    f"{mailbox.name}/{folder.name}: {folder.new} new, {folder.changed} changed, "
                    f"{folder.removed} removed, {folder.failed} failed"
                )
            if report.history_to_index:
                self.stdout.write(
                    f"{mailbox.name}: the mail that was already in the mailbox is being added "
                    "to search by the worker (`manage.py qcluster`; `make run` starts it)."
                )
            if self.verbosity >= 2:  # where the pass spent its time
                phases = ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items())
                self.stdout.write(f"{mailbox.name}: {phases}")
        return failures

    def listening(self, mailbox: str, folder: str, up: bool) -> None:
        if up:
            self.stdout.write(f"{mailbox}/{folder}: listening for new mail (IDLE)")
        else:
            self.stdout.write(f"{mailbox}/{folder}: link lost, reconnecting")
        self.stdout.flush()

    def progress(self, folder: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        self.stderr.write(
            f"\r{folder:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end
        )
        self.stderr.flush()
