"""Deploy check: production must not deliver webhooks to internal addresses."""

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from . import conf


@register(Tags.security, deploy=True)
def private_addresses_are_refused(app_configs: Any = None, **_: Any) -> list[CheckMessage]:
    if not conf.allow_private():
        return []
    return [
        Error(
            "APP_WEBHOOKS_ALLOW_PRIVATE is on: customers' webhook URLs could reach internal "
            "services and the cloud metadata address. Unset it (it defaults to DEBUG).",
            id="webhooks.E001",
        )
    ]
