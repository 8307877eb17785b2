"""Worker tasks for escalations: thin doors into the services."""

from escalations.services import deliver_due, notify_due


def notify() -> dict:
    """One sweep: take the steps that are due, then send what is waiting."""
    written = notify_due()
    return {"written": written, **deliver_due()}
