"""Where a completion webhook may go: an http(s) URL whose host resolves only to public addresses, or to networks
the operator allows (`webhook_private_allow`). A webhook is a request the server makes on a caller's behalf, so
without this a caller could make it reach the server's own network (a cloud metadata address, an admin port on
localhost). The host is checked when the job is submitted and again just before the POST (its DNS may have
changed); a name that resolves differently between that check and the connection is not caught."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

__all__ = ["Network", "webhook_problem"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def webhook_problem(url: str, allowed: Sequence[Network] = ()) -> str | None:
    """Why `url` may not receive a webhook, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must be an http(s) URL"
    host = parts.hostname
    if not host:
        return "has no host"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except ValueError as exc:  # a port out of range or not a number
        return f"bad port: {exc}"
    except OSError:
        return f"host {host!r} does not resolve"
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        ip = mapped if mapped is not None else ip
        if any(ip in net for net in allowed):
            continue
        if not ip.is_global or ip.is_multicast:
            return (
                f"host {host!r} resolves to {ip}, not a public address (loopback, private, link-local or reserved); "
                "the server's webhook_private_allow names the networks it may reach"
            )
    return None
