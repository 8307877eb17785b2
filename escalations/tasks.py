"""Worker tasks for escalations: thin doors into the chase and the outbox."""

from escalations.chase import notify_due
from escalations.delivery import deliver_due


def notify() -> dict:
    """One sweep: take the steps that are due, then send what is waiting."""
    written = notify_due()
    return {"written": written, **deliver_due()}
