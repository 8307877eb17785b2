"""Reading a buyer's message as Amazon relays it. Pure."""

import re

ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
_SUFFIX = re.compile(r"\s*-\s*Amazon Marketplace\s*$", re.IGNORECASE)
RELAY = re.compile(r"@marketplace\.amazon\.([a-z.]+)$", re.IGNORECASE)
MARKETPLACES = {
    "com": "US", "ca": "CA", "com.mx": "MX", "com.br": "BR", "co.uk": "UK", "de": "DE",
    "fr": "FR", "it": "IT", "es": "ES", "nl": "NL", "se": "SE", "pl": "PL", "com.be": "BE",
    "com.tr": "TR", "ae": "AE", "sa": "SA", "eg": "EG", "in": "IN", "co.jp": "JP",
    "com.au": "AU", "sg": "SG",
}  # fmt: skip


def buyer_name(sender_name: str) -> str:
    return _SUFFIX.sub("", sender_name or "").strip() or "Buyer"


def order_id(subject: str, body: str) -> str:
    found = ORDER_ID.search(subject or "") or ORDER_ID.search((body or "")[:20_000])
    return found.group(0) if found else ""


def marketplace(relay_address: str) -> str:
    found = RELAY.search(relay_address or "")
    return MARKETPLACES.get(found.group(1).lower(), found.group(1).upper()) if found else ""
