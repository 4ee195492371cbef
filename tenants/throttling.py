"""Per-key API rate limits, counted in Redis.

Why not DRF's SimpleRateThrottle on the Redis cache: it reads the key's whole timestamp list,
appends in Python and writes it back. Two workers doing that at once both read the old list,
so bursts slip past the limit, and at 600/min each request moves a 600-entry pickled list
through Redis twice. A fixed window is one pipelined INCR + EXPIRE (atomic in Redis, one round
trip); the price is that a client can spend up to twice the limit across a window boundary,
which is acceptable for abuse protection.
"""

import functools
import logging
import math
import time
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .entitlements import entitlements_of_request
from .models import ApiKey

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/min" → (600, 60); the period is read from its first letter, as DRF does."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


def _stricter(installation: tuple[int, int], rate: str) -> tuple[int, int]:
    """The installation's limit, or the brand's plan's when that one allows fewer per second."""
    if not rate:
        return installation
    plan = parse_rate(rate)
    return plan if plan[0] / plan[1] < installation[0] / installation[1] else installation


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


class ApiKeyRateThrottle(BaseThrottle):
    """APP_API_RATE_LIMIT per key (per user for sessions), per brand, in fixed windows."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def cache_key(self, request: Request, view: "APIView") -> str | None:
        tenant = getattr(view, "tenant", None)
        if tenant is None:
            return None
        if isinstance(request.auth, ApiKey):
            return f"t:{tenant.pk}:k:{request.auth.prefix}"
        return f"t:{tenant.pk}:u:{request.user.pk}"

    def allow_request(self, request: Request, view: "APIView") -> bool:
        key = self.cache_key(request, view)
        if key is None:
            return True
        tenant = view.tenant  # type: ignore[attr-defined]
        # A plan's rate limit is for its API keys (authentication has looked the plan up
        # already); the dashboard's own calls keep the installation's limit.
        plan_rate = (
            entitlements_of_request(request, tenant).api_rate_limit
            if isinstance(request.auth, ApiKey)
            else ""
        )
        limit, period = _stricter(parse_rate(settings.APP_API_RATE_LIMIT), plan_rate)
        now = time.time()
        window = int(now // period)
        window_key = f"{key}:rl:{window}"
        try:
            pipe = _client(settings.REDIS_URL).pipeline(transaction=True)
            pipe.incr(window_key)
            pipe.expire(window_key, period + 1)
            count, _ = pipe.execute()
        except redis.RedisError:
            # Rate limiting protects capacity; it must not take the API down with Redis.
            logger.warning("api.rate_limit_unavailable", exc_info=True)
            return True
        if count <= limit:
            return True
        self.retry_after = max(1, math.ceil((window + 1) * period - now))
        return False

    def wait(self) -> float | None:
        return self.retry_after
