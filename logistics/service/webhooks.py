"""Where a completion webhook may go: an http(s) URL whose host resolves only to public addresses, or to networks
the operator allows (`webhook_private_allow`). A webhook is a request the server makes on a caller's behalf, so
without this a caller could make it reach the server's own network (a cloud metadata address, an admin port on
localhost). The host is checked when the job is submitted and again just before the POST (its DNS may have
changed); a name that resolves differently between that check and the connection is not caught."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

__all__ = ["Network", "deliver", "sign", "verify", "webhook_problem"]

SIGNATURE_HEADER = "X-Logistics-Signature"

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
        if not _public(ip, allowed):
            # the address is not told: a caller must not learn what the server's names resolve to
            return (
                f"host {host!r} is not a public address (loopback, private, link-local, reserved, or an IPv6 form "
                "embedding one); the server's webhook_private_allow names the networks it may reach"
            )
    return None


_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # IPv4-compatible (deprecated) ::a.b.c.d


def _embedded(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped, IPv4-compatible, NAT64 (well-known and local
    prefixes), 6to4 and Teredo (server and client)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _COMPATIBLE and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: Sequence[Network]) -> bool:
    """Whether a webhook may go to `ip`: in an allowed network, or a global unicast address that embeds no
    address that is not (an IPv6 form of a private or loopback IPv4 address is that address)."""
    if any(ip in net for net in allowed):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded(ip)
        if inner:
            return all(_public(v4, allowed) for v4 in inner)
        if ip.is_site_local:
            return False
    return ip.is_global and not ip.is_multicast


def sign(secret: str, body: bytes, at: int) -> str:
    """The signature header's value for `body` sent at UNIX time `at`: 't=AT,v1=HEX', HEX the HMAC-SHA256 of
    b'AT.' + body under `secret` (the time is signed too, so a receiver can refuse old replays)."""
    import hashlib
    import hmac

    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance_s: float = 300.0, now: float | None = None) -> bool:
    """What a receiver does: the header's signature matches `body` and its time is within `tolerance_s`."""
    import hmac
    import time

    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        at = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, at), f"t={at},v1={fields.get('v1', '')}")


def deliver(
    url: str,
    payload: dict,
    secret: str | None,
    attempts: int,
    allowed: Sequence[Network] = (),
    record: Callable[[int, int | None, str | None], None] | None = None,
    backoff_s: float = 1.0,
) -> bool:
    """POST `payload` (JSON) to `url`, signed when `secret` is set, tried up to `attempts` times: again after 1, 2,
    4 ... x `backoff_s` seconds when there is no answer or the answer is 5xx or 429 (a 2xx delivers; another 4xx
    is final). The host is checked before each try. `record(attempt, status, error)` logs each try. Returns
    whether it was delivered."""
    import json
    import time

    import httpx

    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    for attempt in range(1, attempts + 1):
        status: int | None = None
        error: str | None = None
        problem = webhook_problem(url, allowed)
        if problem is not None:
            error = f"refused: the URL {problem}"
        else:
            headers = {"Content-Type": "application/json", "User-Agent": "logistics-service"}
            if secret:
                headers[SIGNATURE_HEADER] = sign(secret, body, int(time.time()))
            try:
                status = httpx.post(url, content=body, headers=headers, timeout=10.0).status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
        if record is not None:
            record(attempt, status, error)
        if status is not None and 200 <= status < 300:
            return True
        final = problem is not None or (status is not None and 400 <= status < 500 and status != 429)
        if final or attempt == attempts:
            return False
        time.sleep(backoff_s * 2 ** (attempt - 1))
    return False
