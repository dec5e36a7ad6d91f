"""Where the outbox may POST a webhook: https (http only where the settings allow it), to a host that
resolves only to public internet addresses.

A webhook URL is typed in by someone outside (a newsroom, or anyone who got hold of its link) and
the outbox's workers then call it from inside the network: a URL naming a loopback, private,
link-local (the cloud metadata service at 169.254.169.254), multicast or reserved address, in IPv4
or IPv6 form, would turn them into a way in. The subscriber services refuse such a URL when it is
saved. (Checking again at send time, against DNS changing afterwards, is not done here yet; the
sender already refuses redirects.)
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """Globally reachable unicast: not loopback, private, link-local, multicast, reserved, unspecified
    or shared (carrier-grade NAT), nor an IPv6 form of one of those. An IPv6 address that carries an
    IPv4 one (mapped, NAT64, 6to4, Teredo) is judged by where the packets end up too."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        if address in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal is itself). socket.gaierror when it does not."""
    found = []
    for *_rest, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return found


def webhook_url_problem(url: str, *, allow_http: bool) -> str | None:
    """Why the outbox may not POST to this URL, in words for the person who typed it; None if it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return _("The webhook URL is not a valid URL.")
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        return _("The webhook URL must start with https://")
    if not host:
        return _("The webhook URL must name a server.")
    try:
        addresses = resolve(host, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError):
        addresses = []
    if not addresses:
        return _("The webhook URL's server %(host)s could not be found.") % {"host": host}
    for address in addresses:
        if not is_public_address(address):
            return _(
                "The webhook URL must point to a server on the public internet: %(host)s is %(address)s, "
                "which is not a public address."
            ) % {"host": host, "address": address}
    return None
