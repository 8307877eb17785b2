"""Who is asking: the client's address, as the desk's own proxy saw it.

Behind a proxy every request comes from the proxy, so the address that counts is in
X-Forwarded-For; but anyone can send that header. It is read only when the direct peer is a
trusted proxy (TRUSTED_PROXIES), and then from the right: each trusted proxy appends the
address it saw, so the rightmost address that is not a trusted proxy is the client. What a
client writes further left is ignored.
"""

import ipaddress

from django.conf import settings


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").split("]")[0])
    except ValueError:
        return None


def _trusted(address) -> bool:
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.TRUSTED_PROXIES
        if address.version == ipaddress.ip_network(network, strict=False).version
    )


def client_address(request) -> str:
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return request.META.get("REMOTE_ADDR", "")
    client = peer
    if _trusted(peer):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # garbage: trust nothing further left
            client = address
            if not _trusted(address):
                break
    return str(client)
