"""Where a webhook may go: public addresses, or networks the operator allows; a bad allowance is named."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from logistics.core.errors import ScenarioError
from logistics.service.config import load_config
from logistics.service.webhooks import webhook_problem


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://10.0.0.7/",
        "https://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://100.64.0.1/",  # shared address space
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254 (cloud metadata)
        "http://[64:ff9b:1::a00:7]/",  # local-use NAT64 prefix, 10.0.0.7
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::1]/",  # 6to4 of 169.254.169.254
        "http://[::127.0.0.1]/",  # IPv4-compatible loopback
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[fec0::1]/",  # site-local
    ],
)
def test_addresses_that_are_not_public_are_refused(url: str) -> None:
    assert "not a public address" in (webhook_problem(url) or "")


def test_a_refusal_does_not_tell_what_a_name_resolves_to() -> None:
    message = webhook_problem("http://localhost:8000/hook") or ""
    assert "not a public address" in message and "127.0.0.1" not in message and "::1" not in message


def test_ipv6_forms_of_public_ipv4_addresses_may_receive_webhooks() -> None:
    assert webhook_problem("http://[64:ff9b::808:808]/") is None  # NAT64 of 8.8.8.8
    assert webhook_problem("http://[2002:808:808::1]/") is None  # 6to4 of 8.8.8.8


def test_public_addresses_and_allowed_networks_may_receive_webhooks() -> None:
    assert webhook_problem("https://8.8.8.8/hook") is None
    assert webhook_problem("http://[2606:4700:4700::1111]/hook") is None
    allowed = [ipaddress.ip_network("10.0.0.0/8")]
    assert webhook_problem("http://10.0.0.7/", allowed) is None
    assert webhook_problem("http://10.0.0.7/", [ipaddress.ip_network("10.1.0.0/16")]) is not None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://8.8.8.8/", "http(s)"),
        ("http:///x", "no host"),
        ("http://8.8.8.8:99999/", "bad port"),
        ("http://no-such-host.invalid/", "does not resolve"),
    ],
)
def test_urls_that_cannot_be_called_are_named(url: str, message: str) -> None:
    assert message in (webhook_problem(url) or "")


def test_a_bad_network_in_the_configuration_is_named(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("auth: false\nwebhook_private_allow: ['10.0.0.0/8', '10.0.0.0/33']\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"webhook_private_allow: '10.0.0.0/33' is not a network"):
        load_config(path)
    path.write_text("auth: false\nwebhook_private_allow: 10.0.0.0/8\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="must be a list of networks"):
        load_config(path)
