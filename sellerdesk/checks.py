"""System checks the desk adds to `manage.py check --deploy`."""

import ipaddress

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Fewer fixed bits than this and a "proxy" network holds more addresses than any real
# front end: a /8 of IPv4, a /32 of IPv6.
WIDEST = {4: 8, 6: 32}


@register(Tags.security, deploy=True)
def trusted_proxies_cover_everyone(app_configs, **kwargs):
    """X-Forwarded-For is believed from TRUSTED_PROXIES: a network that covers everyone (or
    most of the internet) lets any client name its own address and walk past the login
    throttle."""
    wide = [
        str(network)
        for network in settings.TRUSTED_PROXIES
        if ipaddress.ip_network(network, strict=False).prefixlen
        < WIDEST[ipaddress.ip_network(network, strict=False).version]
    ]
    if not wide:
        return []
    return [
        Warning(
            f"TRUSTED_PROXIES holds {', '.join(wide)}: X-Forwarded-For is then believed from "
            "almost anyone, so any client can claim another address (and dodge the login "
            "throttle).",
            hint="List only your own proxies' addresses, e.g. TRUSTED_PROXIES=10.0.0.5.",
            id="sellerdesk.W001",
        )
    ]
