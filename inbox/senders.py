"""What a mail's sender says about answering it. Pure.

- Addresses that take no reply (`no-reply`, `noreply`, `do-not-reply`, `donotreply`, Amazon's
  `*-no-reply@amazon.*`, a mail server's `MAILER-DAEMON` and `postmaster`): a reply by mail
  reaches no one, so the desk neither offers nor sends one.
- Amazon's account-level mail (A-to-z Guarantee claims, chargebacks, policy warnings, account
  health, deactivation): answered in Seller Central, never by mail. Its escalation stays open
  until the assistant says what was done there.
"""

import re
import unicodedata

from anyascii import anyascii

from amazon.selectors import SELLER_CENTRAL
from inbox.relay import MARKETPLACES, is_amazon_relay

_NO_REPLY = re.compile(
    r"(?:^|[._+=-])(?:no-?reply|no_reply|do-?not-?reply|do_not_reply|donotreply"
    r"|mailer-daemon|postmaster)(?:$|[._+=-])",
    re.IGNORECASE,
)
_TLDS = "|".join(re.escape(tld) for tld in sorted(MARKETPLACES, key=len, reverse=True))
_AMAZON = re.compile(rf"[^@\s]+@(?:[a-z0-9-]+\.)*amazon\.(?P<tld>{_TLDS})", re.IGNORECASE)
ACCOUNT_LEVEL = re.compile(
    r"account health|at risk|deactivat|suspen|selling privileges|policy warning"
    r"|policy violation|a-to-z|chargeback|intellectual property|infringement|rights owner",
    re.IGNORECASE,
)
# Where in Seller Central each kind is handled (the marketplace's own host).
_PAGES = (
    (re.compile(r"a-to-z", re.IGNORECASE), "/gp/guarantee-claims/home.html"),
    (re.compile(r"chargeback", re.IGNORECASE), "/gp/chargebacks/home.html"),
)
_ACCOUNT_HEALTH = "/performance/dashboard"


def takes_no_reply(address: str) -> bool:
    local, at, _ = (address or "").strip().rpartition("@")
    return bool(at) and bool(_NO_REPLY.search(local))


def amazon_marketplace(address: str) -> str:
    """The marketplace of an address at Amazon itself (not a buyer's relay), or ""."""
    address = (address or "").strip()
    found = _AMAZON.fullmatch(address)
    if not found or is_amazon_relay(address):
        return ""
    return MARKETPLACES[found["tld"].lower()]


def is_account_mail(address: str, subject: str) -> bool:
    return bool(amazon_marketplace(address)) and bool(ACCOUNT_LEVEL.search(subject or ""))


def seller_central_page(address: str, subject: str) -> str:
    """Where Amazon's account-level mail is answered, or "" for any other mail."""
    if not is_account_mail(address, subject):
        return ""
    host = SELLER_CENTRAL.get(amazon_marketplace(address), SELLER_CENTRAL["US"])
    path = next((p for pattern, p in _PAGES if pattern.search(subject)), _ACCOUNT_HEALTH)
    return f"https://{host}{path}"


def why_no_reply(address: str, subject: str) -> str:
    """Why the desk sends no reply to this mail, in words; "" when it may."""
    if is_account_mail(address, subject):
        return (
            "Amazon's account mail is answered in Seller Central, not by mail: open it there, "
            "then mark this handled with what you did."
        )
    if takes_no_reply(address):
        return f"{address} takes no reply: a reply by mail would reach no one."
    return ""


def imitates_amazon_name(name: str, address: str) -> bool:
    """A sender's name that reads as Amazon once its look-alike letters are read as Latin
    ("Amazon Seller Support" written with a Cyrillic A and o), from an address that is neither at
    Amazon nor Amazon's buyer relay."""
    if amazon_marketplace(address) or is_amazon_relay(address):
        return False
    latin = anyascii(unicodedata.normalize("NFKC", name or "")).lower()
    return "amazon" in re.sub(r"[^a-z]", "", latin)
