"""Webhook destinations: public addresses only, unless the operator allows private ones."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from workers.delivery.callback_urls import CallbackNotAllowed, check_callback_url


def resolves_to(*addresses: str):
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return list(addresses)

    resolver.asked = asked  # type: ignore[attr-defined]
    return resolver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://api.localhost./hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.9/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::5]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        # IPv6 forms that carry a private IPv4 address a translator or tunnel would reach
        "http://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
        "http://[::a9fe:a9fe]/hook",  # IPv4-compatible 169.254.169.254
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 127.0.0.1
        "http://[64:ff9b::a00:1]/hook",  # NAT64 10.0.0.1
        "http://[64:ff9b:1::c0a8:101]/hook",  # local-use NAT64 192.168.1.1
        "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "http://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo client 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",  # Teredo client 10.0.0.1
    ],
)
def test_private_and_local_addresses_are_refused_with_what_to_do(url):
    with pytest.raises(CallbackNotAllowed) as refused:
        check_callback_url(url, allow_private=False)
    assert "NARRATE_WEBHOOK_ALLOW_PRIVATE=1" in str(refused.value)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://93.184.215.14/hook", "93.184.215.14"),
        ("https://[2606:4700::1111]/", "2606:4700::1111"),
        ("http://[64:ff9b::5db8:d70e]/hook", "64:ff9b::5db8:d70e"),  # NAT64 93.184.215.14
        ("http://[2002:5db8:d70e::1]/hook", "2002:5db8:d70e::1"),  # 6to4 93.184.215.14
    ],
)
def test_public_addresses_are_allowed(url, address):
    assert check_callback_url(url, allow_private=False) == [address]


def test_the_operator_may_allow_private_addresses():
    check_callback_url("http://127.0.0.1:9000/hook", allow_private=True)
    check_callback_url(
        "http://cms.internal/hook", allow_private=True, resolver=resolves_to("10.0.0.2")
    )


def test_a_name_resolving_to_an_embedded_private_address_is_refused():
    with pytest.raises(CallbackNotAllowed, match="64:ff9b::a9fe:a9fe"):
        check_callback_url(
            "https://cms.example.com/hook",
            allow_private=False,
            resolver=resolves_to("2606:4700::1111", "64:ff9b::a9fe:a9fe"),
        )


def test_a_name_is_judged_by_every_address_it_resolves_to():
    resolver = resolves_to("93.184.215.14", "10.0.0.7")
    with pytest.raises(CallbackNotAllowed, match=r"10\.0\.0\.7"):
        check_callback_url("https://cms.example.com/hook", allow_private=False, resolver=resolver)
    assert resolver.asked == [("cms.example.com", 443)]
    public = resolves_to("93.184.215.14", "2606:4700::1111")
    addresses = check_callback_url(
        "http://cms.example.com:8080/hook", allow_private=False, resolver=public
    )
    assert addresses == ["93.184.215.14", "2606:4700::1111"]  # what delivery connects to
    assert public.asked == [("cms.example.com", 8080)]


def test_without_a_resolver_names_are_taken_on_trust_until_delivery():
    assert check_callback_url("https://cms.example.com/hook", allow_private=False) == []


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http:///nohost", "javascript:alert(1)"])
def test_only_http_urls_with_a_host(url):
    with pytest.raises(CallbackNotAllowed, match="http\\(s\\) URL"):
        check_callback_url(url, allow_private=True)


def no_lookups(host: str, port: int) -> list[str]:
    raise AssertionError(f"an address written as a number was looked up: {host!r}")


# Hosts the C library (inet_aton) and browsers read as an IPv4 address, and the address.
NUMERIC_PRIVATE = [
    ("http://2130706433/hook", "127.0.0.1"),  # one 32-bit number
    ("http://0177.0.0.1/hook", "127.0.0.1"),  # octal
    ("http://0x7f000001/hook", "127.0.0.1"),  # hex
    ("http://0x7F.0.0.1/hook", "127.0.0.1"),
    ("http://127.1/hook", "127.0.0.1"),  # short dotted: a.b is 8.24 bits
    ("http://127.0.1/hook", "127.0.0.1"),  # a.b.c is 8.8.16 bits
    ("http://0/hook", "0.0.0.0"),  # unspecified
    ("http://0x0/hook", "0.0.0.0"),
    ("http://0xa9fea9fe/hook", "169.254.169.254"),  # cloud metadata
    ("http://2852039166/hook", "169.254.169.254"),
    ("http://0251.0376.0251.0376/hook", "169.254.169.254"),
    ("http://169.254.43518/hook", "169.254.169.254"),
    ("http://012.1/hook", "10.0.0.1"),
    ("http://0xc0.0xa8.1.1/hook", "192.168.1.1"),
    ("http://100.64.1/hook", "100.64.0.1"),  # carrier-grade NAT
    ("http://127.0.0.1./hook", "127.0.0.1"),  # a trailing dot
    ("http://0x7f000001./hook", "127.0.0.1"),
    ("http://localhost./hook", "127.0.0.1"),
    ("http://LOCALHOST/hook", "127.0.0.1"),
    ("http://\uff11\uff12\uff17.0.0.1/hook", "127.0.0.1"),  # fullwidth digits (IDNA maps them)
    ("http://127\u30020\u30020\u30021/hook", "127.0.0.1"),  # ideographic full stops
    ("http://[::ffff:127.0.0.1]/hook", str(ip_address("::ffff:127.0.0.1"))),  # IPv4-mapped
    ("http://[0:0:0:0:0:ffff:7f00:1]/hook", str(ip_address("::ffff:127.0.0.1"))),
    ("http://[::ffff:a9fe:a9fe]/hook", str(ip_address("::ffff:169.254.169.254"))),
    ("http://[::1]/hook", "::1"),
    ("http://[::]/hook", "::"),  # unspecified
    ("http://[fd00::1]/hook", "fd00::1"),  # unique local
]


@pytest.mark.parametrize(("url", "address"), NUMERIC_PRIVATE)
def test_every_numeric_form_of_a_private_address_is_refused_at_submission(url, address):
    with pytest.raises(CallbackNotAllowed) as refused:
        check_callback_url(url, allow_private=False)  # at submission: no resolver
    detail = str(refused.value)
    assert f"points at {address}," in detail
    assert detail.startswith("callback_url ") and "NARRATE_WEBHOOK_ALLOW_PRIVATE=1" in detail
    assert refused.value.status == 400


@pytest.mark.parametrize(("url", "address"), NUMERIC_PRIVATE)
def test_at_delivery_a_numeric_host_is_read_not_looked_up(url, address):
    with pytest.raises(CallbackNotAllowed, match=f"points at {address},"):
        check_callback_url(url, allow_private=False, resolver=no_lookups)
    assert check_callback_url(url, allow_private=True, resolver=no_lookups) == [address]


@pytest.mark.parametrize(
    "url",
    [
        "http://1572394766/hook",
        "http://0x5db8d70e/hook",
        "http://93.184.55054/hook",
        "http://0135.0270.0327.016/hook",
        "http://93.184.215.14./hook",
    ],
)
def test_numeric_forms_of_a_public_address_are_allowed_as_that_address(url):
    assert check_callback_url(url, allow_private=False) == ["93.184.215.14"]
    assert check_callback_url(url, allow_private=False, resolver=no_lookups) == ["93.184.215.14"]


@pytest.mark.parametrize(
    "url",
    [
        "http://1.2.3.4.5/hook",  # ends in a number but is no address
        "http://256.0.0.1/hook",
        "http://127.0.0.256/hook",
        "http://1.16777216/hook",
        "http://4294967296/hook",
        "http://08.0.0.1/hook",  # 8 is not an octal digit
        "http://example..com/hook",  # an empty label
        "http://127.0.0.1../hook",
        "http://exa%6dple.com/hook",
        "http://exa_mple com/hook",
    ],
)
def test_a_host_that_is_neither_an_address_nor_a_name_is_refused(url):
    with pytest.raises(CallbackNotAllowed, match="callback_url") as refused:
        check_callback_url(url, allow_private=True, resolver=no_lookups)
    assert "host" in str(refused.value)


def test_a_name_is_still_looked_up_at_delivery():
    resolver = resolves_to("127.0.0.1")
    assert check_callback_url("http://127.0.0.1.nip.example/h", allow_private=False) == []
    with pytest.raises(CallbackNotAllowed, match=r"127\.0\.0\.1"):
        check_callback_url("http://127.0.0.1.nip.example/h", allow_private=False, resolver=resolver)
    assert resolver.asked == [("127.0.0.1.nip.example", 80)]
