"""Compliance rows made by the real services, each inside its brand's scope."""

from datetime import date
from typing import Any

from compliance import custom_rules, evidence
from compliance.models import ClaimEvidence, CustomRule
from tenants.context import tenant_scope
from tenants.models import Tenant

from ..generation.image_samples import encode, solid

# The smallest document a PDF reader opens: one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_document() -> bytes:
    return encode(solid("RGB", (120, 80), "#0F766E"), "PNG")


def claim_evidence(
    tenant: Tenant,
    claim: str = "award",
    *,
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
    document: bytes = PDF,
    **fields: Any,
) -> ClaimEvidence:
    values = {"title": "2025 天猫金妆奖", "issuer": "天猫", **fields}
    with tenant_scope(tenant.pk):
        return evidence.evidence_create(
            tenant=tenant,
            user=None,
            fields=evidence.EvidenceFields(
                claim=claim, valid_from=valid_from, valid_until=valid_until, **values
            ),
            document=evidence.document_intake(document),
        )


def custom_rule(tenant: Tenant, kind: str = "banned", phrase: str = "秒杀") -> CustomRule:
    with tenant_scope(tenant.pk):
        return custom_rules.custom_rule_create(tenant=tenant, user=None, kind=kind, phrase=phrase)
