"""Where webhooks may go: public addresses only, unless the operator allows private ones.

Anyone who can submit an article chooses its callback_url, and the worker POSTs to it
from inside the operator's network. Without this check a submission could make the
worker call a cloud metadata service (169.254.169.254), a database admin page on
localhost, or any other host only the worker can reach. A publisher whose CMS sits on
the same private network sets NARRATE_WEBHOOK_ALLOW_PRIVATE=1.

Checked twice, by `check_callback_url`: when an article or batch is submitted (a host
written as an address, in any form the C library or a browser reads as one, and
localhost), so the publisher hears at once; and before every delivery, on the addresses
the host name resolves to then (delivery connects to exactly those: pinned_http).
"""

from __future__ import annotations

import ipaddress
import re
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
    addresses checked, to connect to exactly those. A host written as an address, in any
    form the C library or a browser reads (`host_address`), is judged as that address and
    never looked up; localhost is loopback. Without a resolver, other host names are taken
    on trust and [] is returned; with one, every address the name resolves to must be
    public."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CallbackNotAllowed(f"callback_url must be an http(s) URL with a host, got {url!r}")
    host = _normal_host(parts.hostname, url)
    address = host_address(host, url)
    if address is not None:
        addresses = [address]
    elif host == "localhost" or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    elif resolver is not None:
        addresses = resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
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


_LABEL = re.compile(r"[a-z0-9_-]+")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")  # what makes a host an IPv4 address


def _normal_host(hostname: str, url: str) -> str:
    """The host as name resolution sees it: IPv6 literals as written; names through IDNA
    (as socket.getaddrinfo does, so fullwidth digits and ideographic full stops become
    ASCII), lower case, without the one trailing dot a fully qualified name may have.
    CallbackNotAllowed for a host that is neither an address nor a name."""
    if ":" in hostname:
        return hostname
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = ""
    if host.endswith("."):
        host = host[:-1]
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise CallbackNotAllowed(
            f"callback_url {url!r} does not have a valid host: send a host name such as "
            "cms.example.com, or an IP address"
        )
    return host


def host_address(host: str, url: str) -> str | None:
    """The IP address `host` (from `_normal_host`) writes, in its usual form; None for a
    name. An IPv4 address may be written as the C library's inet_aton and browsers read it:
    1 to 4 numbers, each decimal, octal (leading 0) or hex (0x), the last filling the bits
    left (127.1 is 127.0.0.1, 2130706433 and 0x7f000001 are too). A host whose last label
    is a number but that is no such address is refused (CallbackNotAllowed)."""
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise CallbackNotAllowed(
                f"callback_url {url!r} does not have a valid IPv6 address as its host"
            ) from None
    labels = host.split(".")
    if not _NUMBER.fullmatch(labels[-1]):
        return None
    numbers = [_number(label) for label in labels]
    if len(labels) > 4 or None in numbers:
        raise CallbackNotAllowed(
            f"callback_url {url!r} has a host that ends in a number but is not an IPv4 "
            "address; send an address such as 203.0.113.7, or a host name"
        )
    *head, last = (n for n in numbers if n is not None)
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise CallbackNotAllowed(
            f"callback_url {url!r} has a host with a number out of range for an IPv4 "
            "address; send an address such as 203.0.113.7, or a host name"
        )
    value = last + sum(n << (8 * (3 - i)) for i, n in enumerate(head))
    return str(ipaddress.IPv4Address(value))


def _number(label: str) -> int | None:
    """One part of an inet_aton address: 0x hex, 0 octal, else decimal; None if not."""
    if label[:2] in {"0x", "0X"}:
        return int(label[2:] or "0", 16) if _NUMBER.fullmatch(label) else None
    if not label.isascii() or not label.isdigit():
        return None
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8) if set(label) <= set("01234567") else None
    return int(label)


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
