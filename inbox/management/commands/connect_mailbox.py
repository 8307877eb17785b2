"""Connect a mailbox with Microsoft or Google from a server without a browser."""

import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inbox.models import Mailbox
from inbox.sync import mailbox_from_settings
from sellerdesk import oauth
from sellerdesk.models import OAuthRequest


class Command(BaseCommand):
    help = (
        "Connect a mailbox with Microsoft or Google (OAuth 2.0): prints the address to open "
        "in any browser, waits until the desk's callback (SITE_URL + /oauth/callback/) has "
        "stored the grant, and exits 0; exits non-zero with the reason if the sign-in fails "
        "or nobody finishes it within --timeout. The IMAP_URL mailbox by default."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--provider",
            choices=["microsoft", "google"],
            help="Where the mailbox is (default: the mailbox's own, e.g. IMAP_URL's oauth=).",
        )
        parser.add_argument("--mailbox", help="The mailbox's name in admin (default: IMAP_URL's).")
        parser.add_argument(
            "--timeout",
            type=float,
            default=600.0,
            help="Seconds to wait for the browser to come back (default 600).",
        )

    def handle(self, *args, provider=None, mailbox=None, timeout=600.0, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds.")
        box = self._mailbox(mailbox)
        if (
            box.name == Mailbox.DEFAULT_NAME
            and settings.IMAP_URL
            and provider
            and provider != settings.IMAP_OAUTH
        ):
            raise CommandError(
                f"IMAP_URL names this mailbox and does not say oauth={provider}: add "
                f"?oauth={provider} to IMAP_URL (without the password), then run this again."
            )
        provider = provider or box.oauth_provider
        if not provider:
            raise CommandError(
                f"Mailbox {box.name!r} signs in with a password: say --provider microsoft or "
                "--provider google (or add ?oauth=... to IMAP_URL)."
            )
        try:
            url = oauth.start(provider_name=provider, account=box.username)
        except oauth.OAuthProblem as exc:
            raise CommandError(str(exc)) from None
        state = parse_qs(urlsplit(url).query)["state"][0]
        self.stdout.write(
            f"Open this address in a browser and sign in as {box.username} at "
            f"{oauth.label(provider)}:\n\n{url}\n\nWaiting up to {timeout:g} s for the sign-in "
            f"to come back to {oauth.callback_url()} ..."
        )
        self.stdout.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            request = oauth.request_state(state)
            if request is not None and request.finished_at is not None:
                if request.outcome == OAuthRequest.Outcome.GRANTED:
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"Connected {box.username} with {oauth.label(provider)}; the "
                            "worker syncs it now."
                        )
                    )
                    return
                raise CommandError(request.error or "The sign-in failed.")
            time.sleep(0.5)
        raise CommandError(
            f"Nobody finished the sign-in within {timeout:g} s: run the command again and "
            "open the new address."
        )

    def _mailbox(self, name: str | None) -> Mailbox:
        if name:
            box = Mailbox.objects.filter(name=name).first()
            if box is None:
                known = ", ".join(Mailbox.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"No mailbox named {name!r} (there are: {known}).")
            return box
        box = mailbox_from_settings()
        if box is None:
            raise CommandError(
                "No mailbox to connect: set IMAP_URL (imaps://support%40shop.com@"
                "outlook.office365.com:993?oauth=microsoft) or say --mailbox NAME."
            )
        return box
