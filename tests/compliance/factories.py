"""Compliance rows made by the real services, each inside its brand's scope."""

from datetime import date
from typing import Any

from compliance import custom_rules, evidence
from compliance.models import ClaimEvidence, CustomRule, ReviewItem
from generation import jobs, rendering
from generation.models import Job, Render
from tenants.context import tenant_scope
from tenants.models import Tenant

from ..generation import factories as generation_factories
from ..generation.image_samples import encode, solid
from ..tenants.factories import rows

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


# JOBS THROUGH THE PIPELINE ------------------------------------------------------------------

# Scripts whose copy the built-in text backend writes and the rulebook judges: clean; with an
# antibacterial claim (review: 《广告法》 Art. 17, needs a lab test report in home goods); with
# a disease claim (block; its suggestion deletes it, so the rewrite passes).
CLEAN_SCRIPT = "家人们，这款面霜温和不刺激，早晚都能用。"
HELD_SCRIPT = "家人们，这款精华温和抑菌，早晚都能用。"
BLOCKED_SCRIPT = "家人们，这款精华三天祛痘，温和不刺激。"


def planned(tenant: Tenant, script: str = HELD_SCRIPT, **request: Any) -> Job:
    """A job planned by the real service (copy written and checked, renders created)."""
    queued = generation_factories.job(tenant, script=script, **request)
    with tenant_scope(tenant.pk):
        jobs.job_plan(tenant_id=tenant.pk, job_id=queued.pk)
        return Job.objects.get(pk=queued.pk)


def rendered(
    tenant: Tenant, script: str = HELD_SCRIPT, *, finalize: bool = True, **request: Any
) -> Job:
    """A planned job whose renders ran in this process (each in its own transaction, as a task
    would run them) and, with `finalize`, that was finished and charged."""
    job = planned(tenant, script, **request)
    for render in rows(Render, tenant, job=job):
        with tenant_scope(tenant.pk):
            rendering.render_execute(tenant_id=tenant.pk, render_id=render.pk)
    if finalize:
        with tenant_scope(tenant.pk):
            jobs.job_finalize(tenant_id=tenant.pk, job_id=job.pk)
    with tenant_scope(tenant.pk):
        return Job.objects.get(pk=job.pk)


def render_again(tenant: Tenant, render_id: int) -> None:
    """Run a re-queued render (an edit's) as the worker would."""
    with tenant_scope(tenant.pk):
        rendering.render_execute(tenant_id=tenant.pk, render_id=render_id)


def review_items(tenant: Tenant, job: Job | None = None) -> list[ReviewItem]:
    filters = {"job": job} if job is not None else {}
    return rows(ReviewItem, tenant, **filters)


def fresh(tenant: Tenant, model: type, pk: int) -> Any:
    with tenant_scope(tenant.pk):
        return model.objects.get(pk=pk)
