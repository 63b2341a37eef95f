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
    ],
)
def test_addresses_that_are_not_public_are_refused(url: str) -> None:
    assert "not a public address" in (webhook_problem(url) or "")


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
