"""What a brand's plan includes. Billing decides; the rest of the code asks here.

APP_API_ACCESS_POLICY names a function `(tenant) -> bool`; billing will point it at its plan
table. Until then every brand may use the API.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Tenant


def allow_all(tenant: Tenant) -> bool:
    return True


def api_access_allowed(tenant: Tenant) -> bool:
    policy = import_string(settings.APP_API_ACCESS_POLICY)
    return bool(policy(tenant))
