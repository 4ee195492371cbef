"""System checks: the labelling settings are lawful and the C2PA files exist when named."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

# 《人工智能生成合成内容标识办法》 Art. 9: logs of content provided without an explicit label are
# kept for no less than six months.
MIN_EXPORT_LOG_DAYS = 183


@register()
def labelling_settings_are_lawful(app_configs: Any = None, **_: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.APP_UNLABELLED_EXPORT_LOG_DAYS < MIN_EXPORT_LOG_DAYS:
        problems.append(
            Error(
                f"APP_UNLABELLED_EXPORT_LOG_DAYS is {settings.APP_UNLABELLED_EXPORT_LOG_DAYS}; "
                f"the log of unlabelled exports must be kept at least {MIN_EXPORT_LOG_DAYS} days "
                "(six months).",
                id="provenance.E001",
            )
        )
    if not 0 <= settings.APP_WATERMARK_INSTALLATION_ID <= 0xFFFF:
        problems.append(
            Error(
                "APP_WATERMARK_INSTALLATION_ID must be between 0 and 65535.", id="provenance.E002"
            )
        )
    if not settings.APP_AIGC_PROVIDER_CODE.strip():
        problems.append(
            Error("APP_AIGC_PROVIDER_CODE must name the service provider.", id="provenance.E003")
        )
    named = {
        "APP_C2PA_CERT_CHAIN": settings.APP_C2PA_CERT_CHAIN,
        "APP_C2PA_PRIVATE_KEY": settings.APP_C2PA_PRIVATE_KEY,
    }
    if any(named.values()) and not all(named.values()):
        problems.append(
            Error(
                "Set both APP_C2PA_CERT_CHAIN and APP_C2PA_PRIVATE_KEY, or neither.",
                id="provenance.E004",
            )
        )
    for name, path in {**named, "APP_C2PA_TRUST_ANCHORS": settings.APP_C2PA_TRUST_ANCHORS}.items():
        if path and not Path(path).is_file():
            problems.append(
                Error(f"{name} names {path}, which is not a file.", id="provenance.E005")
            )
    return problems
