"""Where webhooks may go: public addresses only, unless the operator allows private ones.

Anyone who can submit an article chooses its callback_url, and the worker POSTs to it
from inside the operator's network. Without this check a submission could make the
worker call a cloud metadata service (169.254.169.254), a database admin page on
localhost, or any other host only the worker can reach. A publisher whose CMS sits on
the same private network sets NARRATE_WEBHOOK_ALLOW_PRIVATE=1.

Checked twice: when an article is submitted (addresses written as IPs, and localhost),
so the publisher hears at once; and before every delivery, on the addresses the host
name resolves to then.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from workers.pipeline.errors import InvalidInput

Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP addresses
ALLOW_SETTING = "NARRATE_WEBHOOK_ALLOW_PRIVATE"


class CallbackNotAllowed(InvalidInput):
    title = "Callback URL not allowed"


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the system's order of preference
    (socket.gaierror when it resolves to none)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_callback_url(
    url: str, *, allow_private: bool, resolver: Resolver | None = None
) -> list[str]:
    """Raise CallbackNotAllowed unless `url` is http(s) to a public host; return the
    addresses checked, to connect to exactly those. Without a resolver, host names are
    taken on trust (except localhost) and [] is returned; with one, every address the
    name resolves to must be public."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CallbackNotAllowed(f"callback_url must be an http(s) URL with a host, got {url!r}")
    host = parts.hostname.rstrip(".").lower()
    if _is_ip(host):
        addresses = [host]
    elif resolver is not None:
        addresses = resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
    elif host == "localhost" or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    else:
        return []
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise CallbackNotAllowed(
                    f"callback_url {url!r} points at {address}, a private or local address; "
                    f"use a public URL, or set {ALLOW_SETTING}=1 if your CMS is on this network"
                )
    return addresses


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    return all(
        candidate.is_global and not candidate.is_multicast
        for candidate in (ip, *_embedded_ipv4(ip))
    )


def _embedded_ipv4(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which a network that translates or
    tunnels it would reach: mapped, compatible, NAT64, 6to4 and Teredo (the client)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
    if ip in _IPV4_COMPATIBLE or any(ip in network for network in _NAT64):
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in embedded if address is not None]
