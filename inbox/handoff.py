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
# Apps that may recognise mail no rule knows before it goes to the owner (the reply queue
# knows a delivery report about a reply it sent): each returns the ids of the mail it took.
_catchers: list[Callable[[list[Message]], set[int]]] = []


def on_kind(kind: str, follower: Follower) -> None:
    """Call `follower(messages)` with every batch of mail decided as `kind`."""
    if kind not in MailKind.values:
        raise ValueError(f"Unknown kind of mail {kind!r}.")
    _followers[kind] = follower


def hand_on(kind: str, messages: list[Message]) -> None:
    follower = _followers.get(kind)
    if follower is not None:
        follower(messages)


def before_escalating(catcher: Callable[[list[Message]], set[int]]) -> None:
    """`catcher(messages)` sees mail about to be escalated first and returns the ids of
    the mail it took on: that mail is not escalated (nor texted)."""
    if catcher not in _catchers:
        _catchers.append(catcher)


def taken_before_escalating(messages: list[Message]) -> set[int]:
    taken: set[int] = set()
    for catcher in _catchers:
        rest = [m for m in messages if m.pk not in taken]
        if rest:
            taken |= catcher(rest)
    return taken
