"""What a brand's plan allows. Billing decides; tenants asks here, through a settings hook.

APP_ENTITLEMENTS_POLICY names a function `(tenant) -> Entitlements` (billing.plans points it at
the plan table), so that tenants never imports billing: dependencies point one way.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Tenant


@dataclass(frozen=True)
class Entitlements:
    api_access: bool = True
    seats: int | None = None  # None: no limit
    # A stricter rate than the installation's APP_API_RATE_LIMIT ("" keeps that one).
    api_rate_limit: str = ""


def unlimited(tenant: Tenant) -> Entitlements:
    return Entitlements()


def entitlements_for(tenant: Tenant) -> Entitlements:
    policy = import_string(settings.APP_ENTITLEMENTS_POLICY)
    result = policy(tenant)
    assert isinstance(result, Entitlements)
    return result


def entitlements_of_request(request: Any, tenant: Tenant) -> Entitlements:
    """The brand's entitlements, looked up once per API request (authentication, throttle)."""
    known = getattr(request, "_brand_entitlements", None)
    if isinstance(known, Entitlements):
        return known
    found = entitlements_for(tenant)
    request._brand_entitlements = found
    return found
