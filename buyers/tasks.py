"""Worker tasks for the reply queue: thin doors into the services."""

from buyers.services import conversations_check_clock
from buyers.suggestions import suggestions_refresh


def check_buyer_clock() -> int:
    """Tell the owner about buyers waiting close to Amazon's 24 hours."""
    return conversations_check_clock()


def refresh_suggestions() -> int:
    """Work out again the earlier answers the waiting conversations offer: an answer was
    sent, the owner answered or a buyer asked."""
    return suggestions_refresh(force=True)
