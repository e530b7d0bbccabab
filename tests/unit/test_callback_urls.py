"""Webhook destinations: public addresses only, unless the operator allows private ones."""

from __future__ import annotations

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
