import gc
import signal
import sys
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from inbox.imap import MailServerError
from inbox.models import Folder, Mailbox
from inbox.sync import LEASE, SYNCED_ROLES, mailbox_from_settings, mailbox_sync
from inbox.watch import watch
from sellerdesk.tasks import watcher_beat


def watch_key(mailboxes) -> tuple:
    """What the watcher listens to: each mailbox's server, sign-in and synced folders."""
    folders = set(
        Folder.objects.filter(mailbox__in=mailboxes, role__in=SYNCED_ROLES).values_list(
            "mailbox_id", "name"
        )
    )
    boxes = sorted(
        (m.pk, m.host, m.port, m.username, m.oauth_provider, m.password) for m in mailboxes
    )
    return tuple(boxes), tuple(sorted(folders))


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
        mailboxes = self.mailboxes(opts["mailbox"])
        if not mailboxes and not opts["watch"]:
            raise CommandError(
                "No mailbox to sync: set IMAP_URL (imap://user:password@host:port) or add "
                "a mailbox in admin."
            )
        if not opts["watch"]:
            failures = self.run_pass(mailboxes)
            if failures:
                raise CommandError("; ".join(failures))
            return
        mailboxes = self.mailboxes(opts["mailbox"], watching=True)
        stop = threading.Event()
        rounds = [threading.Event()]  # the current round's stop: a new one per mailbox set

        def stop_all(*_):
            stop.set()
            rounds[-1].set()

        signal.signal(signal.SIGTERM, stop_all)
        self.stdout.write("Watching for new mail (Ctrl-C stops).")
        try:
            while not stop.is_set():
                if not mailboxes:  # nothing to listen to yet: look again in a moment
                    stop.wait(5)
                    mailboxes = self.mailboxes(opts["mailbox"], watching=True)
                    continue
                watched = watch_key(mailboxes)

                def still_current(watched=watched):
                    # A mailbox added, connected, moved or switched off in admin, or one
                    # whose folders its first sync just found: watch anew.
                    return watch_key(self.mailboxes(opts["mailbox"], watching=True)) == watched

                watch(
                    mailboxes, lambda boxes=mailboxes: self.run_pass(boxes), stop=rounds[-1],
                    listening=self.listening, still_current=still_current,
                )  # fmt: skip
                if stop.is_set():
                    break
                rounds[-1].set()  # the last round's IDLE links end
                rounds.append(threading.Event())
                mailboxes = self.mailboxes(opts["mailbox"], watching=True)
                self.stdout.write(
                    "The mailboxes changed: now watching "
                    + (", ".join(m.name for m in mailboxes) or "none")
                    + "."
                )
        except KeyboardInterrupt:
            stop_all()

    def mailboxes(self, name: str | None, *, watching: bool = False) -> list[Mailbox]:
        mailbox_from_settings()
        found = Mailbox.objects.filter(is_active=True)
        if watching:  # the demo's file of sample mail has no server to listen to
            found = found.filter(demo_file="")
        if name:
            found = found.filter(name=name)
        return list(found)

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

    def listening(self, mailbox: str, folder: str, up: bool, *, again: bool = False) -> None:
        """Said on the console once per link, and kept as the watcher's beat per folder
        (Worker health shows it)."""
        watcher_beat(mailbox, folder, listening=up)
        if again:
            return
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
