"""Amazon's buyer relay, recognised by its exact domain. Pure.

Buyers write from `<alias>@marketplace.amazon.<tld>`, `<tld>` being one of Amazon's
marketplace domains. Anything else that merely contains those words
(`marketplace.amazon.attacker.test`, `marketplace.amazon.com.evil.test`,
`marketplace-amazon.com`) is not Amazon: it is no buyer message and gets no reply.
"""

import re

# Amazon's marketplace domain -> the desk's marketplace code.
MARKETPLACES = {
    "com": "US", "ca": "CA", "com.mx": "MX", "com.br": "BR", "co.uk": "UK", "de": "DE",
    "fr": "FR", "it": "IT", "es": "ES", "nl": "NL", "se": "SE", "pl": "PL", "com.tr": "TR",
    "com.be": "BE", "ie": "IE", "ae": "AE", "sa": "SA", "eg": "EG", "in": "IN", "co.jp": "JP",
    "com.au": "AU", "sg": "SG",
}  # fmt: skip
_TLDS = "|".join(re.escape(tld) for tld in sorted(MARKETPLACES, key=len, reverse=True))
_RELAY = re.compile(rf"[a-z0-9][a-z0-9._+-]*@marketplace\.amazon\.(?P<tld>{_TLDS})", re.I)


def relay_marketplace(address: str) -> str:
    """The marketplace code of an Amazon relay address, or "" when it is not one."""
    found = _RELAY.fullmatch((address or "").strip())
    return MARKETPLACES[found["tld"].lower()] if found else ""


def is_amazon_relay(address: str) -> bool:
    return bool(relay_marketplace(address))
