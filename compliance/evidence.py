"""Claim evidence: the documents that let a brand say 销量第一, 获奖 or 实验证明.

A document is kept exactly as uploaded (it is the proof; a re-encoded certificate would not be
the one the issuer signed), after checks: PDF, PNG or JPEG recognised by content, at most
10 MiB, images that decode, PDFs without scripts or launch actions. Files are stored
content-addressed under the brand's prefix, so an upload retried after a failure leaves no second
copy.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from generation import storage
from generation.images import ImageRejected, Readable, probe_dimensions
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant
from tenants.roles import Permission
from tenants.services import require_permission

from .models import ClaimEvidence
from .rule_kinds import evidence_kinds

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_PDF_REFUSED_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


class DocumentRejected(ValidationError):
    """An evidence document we won't keep; the message says what to upload instead."""


@dataclass(frozen=True)
class Document:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def _read_bounded(upload: bytes | Readable) -> bytes:
    data = upload if isinstance(upload, bytes) else upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(_("The document is larger than the 10 MB limit."))
    if not data:
        raise DocumentRejected(_("The document is empty."))
    return data


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRejected(_("The PDF is incomplete or damaged; export it again."))
    for name in _PDF_REFUSED_NAMES:
        # A name followed by a delimiter, so that /JS does not match /JSON-like names.
        for delimiter in (b" ", b"/", b"(", b"<", b"\n", b"\r", b"[", b"\t"):
            if name + delimiter in data:
                raise DocumentRejected(
                    _(
                        "The PDF contains scripts, attachments or actions; print it to a plain "
                        "PDF (or save a scan) and upload that."
                    )
                )


def _check_image(data: bytes, image_format: str) -> None:
    try:
        width, height = probe_dimensions(data)
    except ImageRejected as error:
        raise DocumentRejected(str(error)) from None
    if width * height > 40_000_000:
        raise DocumentRejected(
            _("The image is %(w)s×%(h)s pixels; the limit is 40 megapixels.")
            % {"w": width, "h": height}
        )
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except Exception:
        raise DocumentRejected(_("The image is damaged or not a real PNG/JPEG file.")) from None


def document_intake(upload: bytes | Readable) -> Document:
    """Check an uploaded evidence document; raises DocumentRejected with a message for the user.

    CPU-bound; touches no database or storage.
    """
    data = _read_bounded(upload)
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        content_type, extension = "application/pdf", "pdf"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_image(data, "PNG")
        content_type, extension = "image/png", "png"
    elif data.startswith(b"\xff\xd8\xff"):
        _check_image(data, "JPEG")
        content_type, extension = "image/jpeg", "jpg"
    else:
        raise DocumentRejected(_("Upload the evidence as a PDF, PNG or JPEG file."))
    return Document(
        data=data,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(data).hexdigest(),
    )


@dataclass(frozen=True)
class EvidenceFields:
    claim: str
    title: str
    issuer: str
    valid_from: date
    valid_until: date | None = None


@dataclass(frozen=True)
class EvidenceChanges:
    """Fields to change; None leaves a field as it is (`clear_valid_until` removes the end)."""

    claim: str | None = None
    title: str | None = None
    issuer: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    clear_valid_until: bool = False


def _validate(
    *, claim: str, title: str, issuer: str, valid_from: date, valid_until: date | None
) -> None:
    errors: dict[str, list[str]] = {}
    kinds = evidence_kinds()
    if claim not in kinds:
        errors["claim"] = [
            _("Unknown claim kind %(claim)s; use one of %(kinds)s.")
            % {"claim": claim or '""', "kinds": ", ".join(sorted(kinds))}
        ]
    if not title.strip():
        errors["title"] = [_("Give the evidence a title (what the document proves).")]
    if not issuer.strip():
        errors["issuer"] = [_("Name who issued the document (a lab, an award body, a ranking).")]
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The end of validity is before its start.")]
    if errors:
        raise ValidationError(errors)


def _allowed(*, tenant: Tenant, user: User | None) -> None:
    # A request by API key passes None: the key's scope (compliance:manage) was checked.
    if user is not None:
        require_permission(tenant=tenant, user=user, permission=Permission.MANAGE_COMPLIANCE)


def _summary(evidence: ClaimEvidence) -> dict[str, Any]:
    return {
        "claim": evidence.claim,
        "title": evidence.title,
        "issuer": evidence.issuer,
        "valid_from": evidence.valid_from.isoformat(),
        "valid_until": evidence.valid_until.isoformat() if evidence.valid_until else None,
        "sha256": evidence.sha256,
    }


@transaction.atomic
def evidence_create(
    *,
    tenant: Tenant,
    user: User | None,
    fields: EvidenceFields,
    document: Document,
    api_key: ApiKey | None = None,
) -> ClaimEvidence:
    """Keep a checked document (see `document_intake`) as evidence for a claim kind.

    Raises PermissionDenied without MANAGE_COMPLIANCE, ValidationError for bad fields.
    """
    _allowed(tenant=tenant, user=user)
    _validate(
        claim=fields.claim,
        title=fields.title,
        issuer=fields.issuer,
        valid_from=fields.valid_from,
        valid_until=fields.valid_until,
    )
    key = storage.tenant_key(tenant.pk, "evidence", f"{document.sha256}.{document.extension}")
    stored = storage.store_once(key, document.data)
    evidence = ClaimEvidence.objects.create(
        tenant=tenant,
        claim=fields.claim,
        title=fields.title.strip(),
        issuer=fields.issuer.strip(),
        document=stored,
        content_type=document.content_type,
        size_bytes=len(document.data),
        sha256=document.sha256,
        valid_from=fields.valid_from,
        valid_until=fields.valid_until,
        created_by=user,
    )
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action="compliance.evidence_added",
        target=evidence,
        data=_summary(evidence),
    )
    return evidence


@transaction.atomic
def evidence_update(
    *,
    tenant: Tenant,
    user: User | None,
    evidence_id: int,
    changes: EvidenceChanges,
    api_key: ApiKey | None = None,
) -> ClaimEvidence:
    """Change the evidence's claim kind, title, issuer or validity (the document stays; upload
    a new piece of evidence for a new document). Raises ClaimEvidence.DoesNotExist for another
    brand's id, PermissionDenied, ValidationError."""
    _allowed(tenant=tenant, user=user)
    evidence = ClaimEvidence.objects.select_for_update().get(tenant=tenant, pk=evidence_id)
    before = _summary(evidence)
    for name in ("claim", "title", "issuer", "valid_from", "valid_until"):
        value = getattr(changes, name)
        if value is not None:
            setattr(evidence, name, value.strip() if isinstance(value, str) else value)
    if changes.clear_valid_until:
        evidence.valid_until = None
    _validate(
        claim=evidence.claim,
        title=evidence.title,
        issuer=evidence.issuer,
        valid_from=evidence.valid_from,
        valid_until=evidence.valid_until,
    )
    evidence.save()
    after = _summary(evidence)
    if after != before:
        audit_record(
            tenant=tenant,
            actor=user,
            api_key=api_key,
            action="compliance.evidence_changed",
            target=evidence,
            data={"from": before, "to": after},
        )
    return evidence


@transaction.atomic
def evidence_delete(
    *, tenant: Tenant, user: User | None, evidence_id: int, api_key: ApiKey | None = None
) -> None:
    """Remove evidence: claims that relied on it need other evidence from now on. Findings and
    citations recorded earlier keep its title and issuer; the stored file stays (content-
    addressed, possibly shared with a later upload of the same document)."""
    _allowed(tenant=tenant, user=user)
    evidence = ClaimEvidence.objects.select_for_update().get(tenant=tenant, pk=evidence_id)
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action="compliance.evidence_removed",
        target=evidence,
        data=_summary(evidence),
    )
    evidence.delete()
