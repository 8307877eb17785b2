"""Worker tasks for Amazon data: thin doors into the services."""

from dashboard.services import pull_all_accounts


def pull_amazon() -> dict:
    return {r.account: ("skipped" if r.skipped else r.errors or "ok") for r in pull_all_accounts()}
