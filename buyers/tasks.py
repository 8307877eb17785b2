"""Worker tasks for the reply queue: thin doors into the services."""

from buyers.services import conversations_check_clock
from buyers.suggestions import suggestions_refresh


def check_buyer_clock() -> int:
    """Tell the owner about buyers waiting close to Amazon's 24 hours."""
    return conversations_check_clock()


def refresh_suggestions() -> int:
    """Work out ahead the earlier answers the waiting conversations offer."""
    return suggestions_refresh()
