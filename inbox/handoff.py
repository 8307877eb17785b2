"""Who takes a kind of mail further once the rules decided it.

The mailbox sits below the apps that work on some kinds of mail, so it never imports them.
Such an app (the reply queue files buyer messages) registers a follower for the kind from its
`AppConfig.ready()`. The decision is in the mail's columns (`kind`, `acted_at`); a follower
gets each batch inside the transaction that marks the batch acted upon, so a mail is handed
on exactly once.
"""

from collections.abc import Callable

from inbox.models import MailKind, Message

Follower = Callable[[list[Message]], object]

_followers: dict[str, Follower] = {}


def on_kind(kind: str, follower: Follower) -> None:
    """Call `follower(messages)` with every batch of mail decided as `kind`."""
    if kind not in MailKind.values:
        raise ValueError(f"Unknown kind of mail {kind!r}.")
    _followers[kind] = follower


def hand_on(kind: str, messages: list[Message]) -> None:
    follower = _followers.get(kind)
    if follower is not None:
        follower(messages)
