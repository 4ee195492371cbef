from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance import evidence, selectors
from compliance.models import ClaimEvidence
from compliance.types import Evidence
from generation import storage
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member, rows

from ..generation.image_samples import encode, noise
from .factories import PDF, claim_evidence, png_document

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("document", "content_type"),
    [
        (PDF, "application/pdf"),
        (png_document(), "image/png"),
        (encode(noise("RGB", (64, 48)), "JPEG"), "image/jpeg"),
    ],
)
def test_a_document_is_kept_byte_for_byte_under_the_brands_prefix(document, content_type):
    tenant = TenantFactory()

    kept = claim_evidence(tenant, document=document)

    assert (kept.content_type, kept.size_bytes) == (content_type, len(document))
    assert kept.document.name.startswith(f"tenants/{tenant.pk}/evidence/")
    assert storage.read_bytes(kept.document.name) == document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "The document is empty."),
        (b"GIF89a" + b"\0" * 64, "Upload the evidence as a PDF, PNG or JPEG file."),
        (b"<html><script>alert(1)</script></html>", "Upload the evidence as a PDF, PNG or JPEG"),
        (PDF[:-8], "The PDF is incomplete or damaged"),
        (
            PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>"),
            "The PDF contains scripts",
        ),
        (png_document()[:60], "damaged"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF", "larger than the 10 MB limit"),
    ],
    ids=["empty", "gif", "html", "truncated-pdf", "pdf-script", "truncated-png", "too-large"],
)
def test_documents_we_would_not_keep_are_refused_in_one_sentence(document, message):
    with pytest.raises(evidence.DocumentRejected) as refused:
        evidence.document_intake(document)

    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"claim": "magic"}, {"claim"}),
        ({"title": " "}, {"title"}),
        ({"issuer": ""}, {"issuer"}),
        ({"valid_from": date(2026, 2, 1), "valid_until": date(2026, 1, 1)}, {"valid_until"}),
    ],
)
def test_invalid_fields_store_nothing(fields, errors):
    tenant = TenantFactory()
    values = {"claim": "award", "title": "金奖", "issuer": "评审会", "valid_from": date(2026, 1, 1)}
    values.update(fields)

    with tenant_scope(tenant.pk), pytest.raises(ValidationError) as refused:
        evidence.evidence_create(
            tenant=tenant,
            user=None,
            fields=evidence.EvidenceFields(**values),
            document=evidence.document_intake(PDF),
        )

    assert set(refused.value.message_dict) == errors
    assert rows(ClaimEvidence, tenant) == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_only_owners_and_admins_manage_evidence(role):
    tenant = TenantFactory()
    user = member(tenant, role).user

    with tenant_scope(tenant.pk), pytest.raises(PermissionDenied):
        evidence.evidence_create(
            tenant=tenant,
            user=user,
            fields=evidence.EvidenceFields("award", "金奖", "评审会", date(2026, 1, 1)),
            document=evidence.document_intake(PDF),
        )

    assert rows(ClaimEvidence, tenant) == []


def test_an_update_changes_validity_and_is_audited_once():
    tenant = TenantFactory()
    admin = member(tenant, Role.ADMIN).user
    kept = claim_evidence(tenant, valid_until=date(2026, 6, 30))

    with tenant_scope(tenant.pk):
        evidence.evidence_update(
            tenant=tenant, user=admin, evidence_id=kept.pk,
            changes=evidence.EvidenceChanges(clear_valid_until=True, issuer="天猫 Tmall"),
        )  # fmt: skip
        evidence.evidence_update(
            tenant=tenant, user=admin, evidence_id=kept.pk,
            changes=evidence.EvidenceChanges(issuer="天猫 Tmall"),
        )  # fmt: skip

    [row] = rows(ClaimEvidence, tenant)
    assert (row.valid_until, row.issuer) == (None, "天猫 Tmall")
    changes = rows(AuditEvent, tenant, action="compliance.evidence_changed")
    assert len(changes) == 1
    assert changes[0].data["to"]["valid_until"] is None


def test_the_brand_context_carries_the_brands_evidence_only():
    mine, theirs = TenantFactory(), TenantFactory()
    proof = claim_evidence(
        mine, "sales_rank", title="2025 双11 销量第一", issuer="天猫",
        valid_from=date(2025, 11, 12), valid_until=date(2026, 11, 11),
    )  # fmt: skip
    claim_evidence(theirs, "clinical")

    with tenant_scope(mine.pk):
        context = selectors.brand_context(tenant=mine)

    assert context.evidence == (
        Evidence(proof.pk, "sales_rank", "2025 双11 销量第一", "天猫", date(2025, 11, 12),
                 date(2026, 11, 11)),
    )  # fmt: skip


def test_another_brands_evidence_cannot_be_changed_or_deleted():
    mine, theirs = TenantFactory(), TenantFactory()
    owner = member(mine, Role.OWNER).user
    their_proof = claim_evidence(theirs)

    with tenant_scope(mine.pk):
        with pytest.raises(ClaimEvidence.DoesNotExist):
            evidence.evidence_delete(tenant=mine, user=owner, evidence_id=their_proof.pk)
        with pytest.raises(ClaimEvidence.DoesNotExist):
            evidence.evidence_update(
                tenant=mine, user=owner, evidence_id=their_proof.pk,
                changes=evidence.EvidenceChanges(title="mine now"),
            )  # fmt: skip

    assert [(e.pk, e.title) for e in rows(ClaimEvidence, theirs)] == [
        (their_proof.pk, "2025 天猫金妆奖")
    ]


def test_deleting_evidence_removes_it_from_the_context_and_audits_it():
    tenant = TenantFactory()
    owner = member(tenant, Role.OWNER).user
    proof = claim_evidence(tenant)

    with tenant_scope(tenant.pk):
        evidence.evidence_delete(tenant=tenant, user=owner, evidence_id=proof.pk)
        context = selectors.brand_context(tenant=tenant)

    assert context.evidence == ()
    [event] = rows(AuditEvent, tenant, action="compliance.evidence_removed")
    assert event.data["title"] == "2025 天猫金妆奖"
