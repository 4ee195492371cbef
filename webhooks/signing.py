"""Webhook signatures: `Brandloom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC key is the endpoint's whole secret (`whsec_…`, as UTF-8); the message is
`f"{t}.{body}"`, the timestamp, a dot and the raw request body bytes. Receivers recompute it,
compare in constant time and refuse old timestamps (replays). docs/webhooks.md shows how.
This module has no Django imports so that customers can copy it as it is.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Brandloom-Signature"
EVENT_ID_HEADER = "Brandloom-Event-Id"
EVENT_TYPE_HEADER = "Brandloom-Event-Type"
ATTEMPT_HEADER = "Brandloom-Delivery-Attempt"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The value of the Brandloom-Signature header for `body`, signed now (or at `timestamp`)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},{SCHEME}={_digest(secret, timestamp, body)}"


def signature_verify(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when `header` signs exactly `body` with `secret`, at most `tolerance` seconds ago.

    Pass the raw body as received, before any JSON parsing. Several v1 values may appear (one
    per secret while a secret is being rotated); one match is enough.
    """
    if isinstance(body, str):
        body = body.encode()
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if tolerance > 0 and abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
