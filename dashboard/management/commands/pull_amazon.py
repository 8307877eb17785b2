import json

from django.core.management.base import BaseCommand, CommandError

from amazon.models import SellerAccount
from dashboard.services import account_from_settings, account_pull


class Command(BaseCommand):
    help = (
        "Pull Amazon's figures once for every active seller account: unshipped orders and "
        "seller performance per marketplace, stored as a snapshot; prints what was found. "
        "The worker pulls on a schedule; this is the same pull, by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print JSON: per account and marketplace, unshipped, "
            "performance (Good/Fair/Poor) and failing_areas.",
        )
        parser.add_argument("--account", help="Only this account (its name in admin).")

    def handle(self, *args, **opts):
        account_from_settings()
        accounts = SellerAccount.objects.filter(is_active=True)
        if opts["account"]:
            accounts = accounts.filter(name=opts["account"])
            if not accounts:
                raise CommandError(f"No active seller account named {opts['account']!r}.")
        if not accounts:
            raise CommandError(
                "Amazon is not connected: set SPAPI_REFRESH_TOKEN, "
                "SPAPI_LWA_APP_ID and SPAPI_LWA_CLIENT_SECRET, or add an "
                "account in admin."
            )
        reports = [account_pull(account=a) for a in accounts]
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        r.account: {"skipped": r.skipped, "errors": r.errors, **r.marketplaces}
                        for r in reports
                    },
                    indent=2,
                )
            )
            return
        for r in reports:
            if r.skipped:
                self.stdout.write(f"{r.account}: another pull is running; skipped.")
                continue
            for code, found in r.marketplaces.items():
                areas = ", ".join(found["failing_areas"]) or "none failing"
                unshipped = "?" if found["unshipped"] is None else found["unshipped"]
                self.stdout.write(
                    f"{r.account} {code}: {unshipped} unshipped ({found['late'] or 0} late), "
                    f"performance {found['performance'] or 'unknown'} ({areas})"
                )
            for error in r.errors:
                self.stderr.write(f"{r.account}: {error}")
