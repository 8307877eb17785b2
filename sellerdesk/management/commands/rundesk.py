import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the desk, its worker and its mail watcher together: the web server, "
        "`qcluster` and `sync_mail --watch` (IMAP IDLE, when there is a mailbox) as "
        "processes. Ctrl-C stops them all; if the web server or the worker stops, so does the "
        "rest; the watcher is started again when it stops. With --demo, also serve a local "
        "demo mailbox (Dovecot) unless IMAP_URL is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to serve on.")
        parser.add_argument(
            "--demo", action="store_true", help="Serve the demo's local stand-in servers too."
        )

    def handle(self, *args, **opts):
        env = dict(os.environ)
        if not os.environ.get("SITE_URL"):
            # Links in texts to the owner point at the desk being served.
            env["SITE_URL"] = settings.SITE_URL = f"http://{opts['addr']}"
        servers = []
        try:
            if opts["demo"]:
                servers = self.start_demo_servers(env)
            self.serve(opts["addr"], env, demo=opts["demo"])
        finally:
            for server in servers:
                server.stop()

    def start_demo_servers(self, env: dict) -> list:
        from sellerdesk.devservers.dovecot import DovecotServer

        started = [self.start_demo_amazon(env)] if not settings.SPAPI_REFRESH_TOKEN else []
        sign_in = self.start_demo_sign_in(env)
        if sign_in is not None:
            started.append(sign_in)
        introspection = sign_in.introspection_url if sign_in is not None else ""
        if settings.IMAP_URL:
            self.stdout.write("Mail: IMAP_URL is set, so the desk syncs that mailbox.")
        elif not DovecotServer.available():
            self.start_sample_mailbox()
        else:
            started.append(self.start_demo_mailbox(env, introspection))
        return started

    def start_demo_amazon(self, env: dict):
        """A local SP-API stand-in with a few unshipped orders, the orders the sample buyers
        write about, and a performance report with one area not Good; the desk and its
        worker pull from it as from Amazon."""
        from dashboard.services import pull_all_accounts
        from sellerdesk.devservers.spapi import (
            SpApiStandIn,
            buyer_orders,
            health_report,
            make_order,
        )

        standin = SpApiStandIn().start()
        standin.orders = [
            make_order(n, ship_by_hours=hours) for n, hours in enumerate([-5, 3, 20, 30, 44])
        ] + buyer_orders()
        standin.report_document = health_report(bad=("lateShipmentRate",))
        values = {
            "SPAPI_ENDPOINT": standin.base_url,
            "SPAPI_TOKEN_URL": standin.base_url + "/auth/o2/token",
            "SPAPI_REFRESH_TOKEN": standin.refresh_token,
            "SPAPI_LWA_APP_ID": standin.client_id,
            "SPAPI_LWA_CLIENT_SECRET": standin.client_secret,
            "SPAPI_POLL_SECONDS": 1.0,
        }
        for name, value in values.items():
            env[name] = str(value)  # for the web server and the worker
            setattr(settings, name, value)  # for the first pull, here
        pull_all_accounts()
        self.stdout.write(f"Amazon: a local SP-API stand-in at {standin.base_url} (demo data).")
        return standin

    def start_demo_sign_in(self, env: dict):
        """A local stand-in for Microsoft's and Google's sign-in, unless the desk has real
        app registrations: "Connect with Microsoft" on a mailbox can be tried, and the demo
        Dovecot takes its tokens."""
        if settings.OAUTH_MICROSOFT_CLIENT_ID or settings.OAUTH_GOOGLE_CLIENT_ID:
            return None
        from sellerdesk.devservers.oauth import OAuthStandIn

        standin = OAuthStandIn().start()
        values = {
            "OAUTH_MICROSOFT_CLIENT_ID": standin.client_id,
            "OAUTH_MICROSOFT_CLIENT_SECRET": standin.client_secret,
            "OAUTH_MICROSOFT_AUTHORITY": standin.microsoft_authority,
            "OAUTH_GOOGLE_CLIENT_ID": standin.client_id,
            "OAUTH_GOOGLE_CLIENT_SECRET": standin.client_secret,
            "OAUTH_GOOGLE_AUTH_URL": standin.google_auth_url,
            "OAUTH_GOOGLE_TOKEN_URL": standin.google_token_url,
        }
        for name, value in values.items():
            env[name] = value
            setattr(settings, name, value)
        self.stdout.write(
            f"Sign-in: a local stand-in for Microsoft and Google at {standin.base_url} "
            "(Connect with Microsoft / Google on a mailbox in admin)."
        )
        return standin

    def start_sample_mailbox(self) -> None:
        from inbox.demo import sample_mailbox
        from inbox.sync import mailbox_sync

        mailbox = sample_mailbox(settings.VAR_DIR / "demo-mail.json")
        mailbox_sync(mailbox=mailbox)
        self.notify_owner()
        self.stdout.write(
            "Mail: Dovecot is not installed, so the demo mailbox is the sample mail in "
            f"{mailbox.demo_file}; what the desk does on the server is simulated there."
        )

    def start_demo_mailbox(self, env: dict, introspection_url: str = ""):
        from inbox.demo import DEMO_USER, seed_mailbox
        from inbox.imap import MailServerError
        from inbox.models import Mailbox
        from inbox.sync import mailbox_from_settings, mailbox_sync
        from sellerdesk.devservers.dovecot import DovecotServer

        # The mail processes run as the dovecot user, which may not enter a home directory:
        # the demo's Maildir lives in the system's temp dir, one per SELLERDESK_VAR_DIR.
        key = hashlib.sha256(str(settings.VAR_DIR).encode()).hexdigest()[:12]
        root = Path(tempfile.gettempdir()) / f"sellerdesk-demo-mail-{key}"
        server = DovecotServer(root=str(root), oauth_introspection_url=introspection_url).start()
        seeded = seed_mailbox(port=server.port, password=server.password)
        url = server.url(DEMO_USER)
        env["IMAP_URL"] = settings.IMAP_URL = url
        self.stdout.write(
            f"Mail: demo mailbox {DEMO_USER} on a local Dovecot at 127.0.0.1:{server.port}"
            + (f", {seeded} sample mails added." if seeded else ".")
        )
        mailbox = mailbox_from_settings()
        # The demo texts the owner (its outbox) about the sample mail, to show the whole way.
        Mailbox.objects.filter(pk=mailbox.pk, history_imported_at__isnull=True).update(
            text_owner_about_history=True
        )
        try:
            mailbox_sync(mailbox=mailbox)
        except MailServerError as exc:
            self.stderr.write(f"Mail: first sync failed: {exc}")
        self.notify_owner()
        return server

    def notify_owner(self) -> None:
        from escalations.chase import notify_due
        from escalations.delivery import deliver_due

        written = notify_due()
        deliver_due()
        if written:
            self.stdout.write(f"Owner: {written} text(s) in the outbox (Escalations > Outbox).")

    def serve(self, addr: str, env: dict, *, demo: bool) -> None:
        """Run the web server, the worker and the mail watcher, each in a process group of
        its own: Ctrl-C reaches only this command, which stops every group whole (qcluster's
        own children included) within STOP_SECONDS. When the web server ends, the rest stop;
        the worker and the watcher (IMAP IDLE: new mail reaches the desk, and an urgent one
        the owner, within seconds) are each started again 5 s after they end."""
        manage = [sys.executable, "manage.py"]
        logs = settings.VAR_DIR / "log"
        logs.mkdir(parents=True, exist_ok=True)
        commands = {
            "worker": [*manage, "qcluster"],
            "web": [*manage, "runserver", "--noreload", addr],
            "watcher": [*manage, "sync_mail", "--watch"],
        }
        procs = {}

        def start(name):
            with open(logs / f"{name}.log", "ab") as log:
                procs[name] = subprocess.Popen(
                    commands[name], env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip

        # The watcher runs whether or not a mailbox is there yet: it waits for one (a
        # mailbox added in admin) and listens from then on.
        for name in ("worker", "web", "watcher"):
            start(name)
        self.stdout.write(
            f"Logs: {logs / 'web.log'}, {logs / 'worker.log'}"
            + f" and {logs / 'watcher.log'}"
            + f".\nSellerDesk at http://{addr}/ with its worker"
            + " and mail watcher"
            + ". Ctrl-C stops them."
        )
        if demo:
            from sellerdesk.management.commands.demo import demo_logins

            self.stdout.write(demo_logins())

        def stop(*_):
            raise KeyboardInterrupt

        # Set both: a process started in the background inherits SIGINT ignored.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restart_at: dict[str, float] = {}
        try:
            while procs["web"].poll() is None:
                for name in ("worker", "watcher"):
                    proc = procs[name]
                    if proc.poll() is None:
                        continue
                    if name not in restart_at:
                        # What is left of its group (qcluster's own workers) goes with it, so
                        # the new one does not run beside the old one's children.
                        _signal_group(proc, signal.SIGKILL)
                        self.stderr.write(
                            f"The {RESTARTED[name]} stopped (exit {proc.returncode}); "
                            "starting it again in 5 s."
                        )
                        restart_at[name] = time.monotonic() + 5
                    elif time.monotonic() >= restart_at[name]:
                        start(name)
                        del restart_at[name]
                time.sleep(0.5)
            self.stderr.write("The web server stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping ...")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop_groups(list(procs.values()))


STOP_SECONDS = 3
# Started again 5 s after they end: a worker or watcher that dies (killed, out of memory, a
# database restart) must not leave the desk serving pages with nothing sending texts.
RESTARTED = {"worker": "worker", "watcher": "mail watcher"}


def stop_groups(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each process group, then SIGKILL to whatever is left of it in time."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    # The group may outlive its leader (qcluster's workers): end all of it.
    while time.monotonic() < deadline and any(_group_alive(p) for p in procs):
        time.sleep(0.1)
    for proc in procs:
        _signal_group(proc, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=1)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _group_alive(proc: subprocess.Popen) -> bool:
    try:
        os.killpg(proc.pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
