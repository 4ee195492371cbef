"""Counters in the cache (Redis) in fixed windows: failed logins per account and per client IP,
and the public pages' per-address limits."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _account_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:account:{digest}"  # hashed: no email addresses in Redis keys


def _ip_key(ip: str) -> str:
    return f"login-fail:ip:{ip}"


def client_ip(request: HttpRequest | None) -> str:
    # REMOTE_ADDR is the proxy's address behind a load balancer; the proxy must set it from
    # the client (gunicorn --forwarded-allow-ips) rather than us trusting X-Forwarded-For.
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def login_blocked(*, username: str, ip: str) -> bool:
    counts = cache.get_many([_account_key(username), _ip_key(ip)])
    return (
        counts.get(_account_key(username), 0) >= settings.APP_LOGIN_ATTEMPTS
        or counts.get(_ip_key(ip), 0) >= settings.APP_LOGIN_ATTEMPTS_PER_IP
    )


def count_in_window(key: str, window: int) -> int:
    """Add one to `key`'s count in a fixed window of `window` seconds that starts at its first
    count, and return the new count. Raises redis errors when the cache is down."""
    # add() starts the window only for the first count; incr() keeps the key's expiry.
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def login_failed(*, username: str, ip: str) -> None:
    for key in (_account_key(username), _ip_key(ip)):
        count_in_window(key, settings.APP_LOGIN_WINDOW_SECONDS)


def login_succeeded(*, username: str) -> None:
    cache.delete(_account_key(username))


def window_minutes() -> int:
    return max(1, settings.APP_LOGIN_WINDOW_SECONDS // 60)
