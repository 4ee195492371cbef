"""Webhook settings. Each reads Django settings first, then the environment, then a default.

- APP_WEBHOOKS_ALLOW_PRIVATE: deliver to private, loopback and link-local addresses, and over
  plain http (default: DEBUG). Never on in production: `check --deploy` reports it as an error.
- APP_WEBHOOKS_RETRY_DELAYS: seconds before each retry, comma-separated; there is one attempt
  more than there are delays (default: 10s, 1m, 5m, 30m, 2h, 5h, 10h: 8 attempts in about 18h).
- APP_WEBHOOKS_CA_BUNDLE: a PEM file of the CAs to trust for https endpoints (default: the
  system's trust store).
"""

from collections.abc import Sequence

import environ
from django.conf import settings

_env = environ.Env()

DEFAULT_RETRY_DELAYS = (10, 60, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600)


def allow_private() -> bool:
    value = getattr(settings, "APP_WEBHOOKS_ALLOW_PRIVATE", None)
    if value is None:
        value = _env.bool("APP_WEBHOOKS_ALLOW_PRIVATE", default=settings.DEBUG)
    return bool(value)


def retry_delays() -> Sequence[float]:
    value = getattr(settings, "APP_WEBHOOKS_RETRY_DELAYS", None)
    if value is None:
        value = _env.list("APP_WEBHOOKS_RETRY_DELAYS", cast=float, default=DEFAULT_RETRY_DELAYS)
    return tuple(float(delay) for delay in value)


def ca_bundle() -> str | None:
    value = getattr(settings, "APP_WEBHOOKS_CA_BUNDLE", None)
    if value is None:
        value = _env("APP_WEBHOOKS_CA_BUNDLE", default="")
    return str(value) or None
