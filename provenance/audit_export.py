"""One download per job for a regulator: each asset's provenance (what marks its file carries),
its receipt, the ad-law checks of its copy and the review trail, as JSON and as CSV in a zip."""

import csv
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.utils import timezone

from compliance.models import ComplianceDecision, ModerationCase, ReviewItem
from generation.models import Job, Render
from provenance.models import UnlabelledExport
from tenants.models import Tenant

CSV_COLUMNS = (
    "render_id", "channel", "variant", "status", "compliance_state", "verdict", "rule_set",
    "findings", "asset_id", "sha256", "visible_label", "tc260_label", "tc260_producer",
    "tc260_produce_id", "watermark_asset_id", "c2pa", "pdq", "asset_created_at",
    "review_state", "decisions", "unlabelled_exports",
)  # fmt: skip


def job_audit_export(*, tenant: Tenant, job: Job) -> tuple[bytes, str]:
    """The zip's bytes and its file name."""
    records = job_audit_records(tenant=tenant, job=job)
    document = {
        "job": {
            "id": job.pk,
            "brand": tenant.name,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "status": job.status,
            "channels": job.channels,
            "variants": job.variants,
            "variants_dropped": job.variants_dropped,
        },
        "installation": {
            "aigc_provider_code": settings.APP_AIGC_PROVIDER_CODE,
            "watermark_installation_id": settings.APP_WATERMARK_INSTALLATION_ID,
        },
        "exported_at": timezone.now().isoformat(),
        "renders": records,
    }
    buffer = io.BytesIO()
    stem = f"job{job.pk}-provenance"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(f"{stem}.csv", _csv(records))
    return buffer.getvalue(), f"{stem}.zip"


def job_audit_records(*, tenant: Tenant, job: Job) -> list[dict[str, Any]]:
    renders = list(
        Render.objects.filter(tenant=tenant, job=job)
        .select_related("asset")
        .order_by("channel", "variant", "id")
    )
    render_ids = [render.pk for render in renders]
    asset_ids = [render.asset_id for render in renders if render.asset_id]
    reviews = {
        item.render_id: item
        for item in ReviewItem.objects.filter(tenant=tenant, render_id__in=render_ids)
    }
    cases: dict[int, list[dict[str, Any]]] = {}
    for case in ModerationCase.objects.filter(tenant=tenant, render_id__in=render_ids):
        cases.setdefault(case.render_id, []).append(
            {"reason": case.reason, "state": case.state, "stage": case.stage}
        )
    decisions: dict[int, list[dict[str, Any]]] = {}
    for decision in (
        ComplianceDecision.objects.filter(tenant=tenant, render_id__in=render_ids)
        .select_related("actor", "actor_api_key")
        .order_by("created_at", "id")
    ):
        decisions.setdefault(decision.render_id, []).append(
            {
                "action": decision.action,
                "by": "platform staff"
                if decision.by_staff
                else (decision.actor.email if decision.actor else None)
                or (f"API key {decision.actor_api_key.prefix}" if decision.actor_api_key else None),
                "reason_code": decision.reason_code,
                "note": decision.note,
                "rule_set": decision.ruleset_version,
                "at": decision.created_at.isoformat(),
            }
        )
    exports: dict[int, list[dict[str, Any]]] = {}
    for export in (
        UnlabelledExport.objects.filter(tenant=tenant, asset_id__in=asset_ids)
        .select_related("user")
        .order_by("created_at")
    ):
        exports.setdefault(export.asset_id, []).append(
            {
                "by": export.user.email,
                "at": export.created_at.isoformat(),
                "ip_address": export.ip_address,
                "sha256": export.sha256,
            }
        )
    records = []
    for render in renders:
        asset = render.asset
        review = reviews.get(render.pk)
        records.append(
            {
                "render_id": render.pk,
                "channel": render.channel,
                "variant": render.variant,
                "status": render.status,
                "copy": render.copy,
                "compliance": {
                    "state": render.compliance_state,
                    "verdict": render.compliance_verdict or None,
                    "rule_set": render.ruleset_version or None,
                    "findings": (render.compliance or {}).get("findings", []),
                    "citations": (render.compliance or {}).get("citations", []),
                    "rewrites": (render.compliance or {}).get("rewrites", 0),
                },
                "review": {
                    "state": review.state if review else None,
                    "decisions": decisions.get(render.pk, []),
                    "moderation": cases.get(render.pk, []),
                },
                "asset": None
                if asset is None
                else {
                    "id": asset.pk,
                    "sha256": asset.sha256,
                    "content_type": asset.content_type,
                    "size": [asset.width, asset.height],
                    "created_at": asset.created_at.isoformat(),
                    "marks": asset.marks,
                    "pdq": _hex(asset.pdq),
                    "receipt": asset.receipt,
                    "unlabelled_exports": exports.get(asset.pk, []),
                },
            }
        )
    return records


def _hex(bits: Any) -> str | None:
    if bits is None:
        return None
    text = bits if isinstance(bits, str) else bits.to_text()
    return f"{int(text, 2):064x}"


def _csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        asset = record["asset"] or {}
        marks = asset.get("marks") or {}
        aigc = marks.get("aigc") or {}
        compliance = record["compliance"]
        writer.writerow(
            [
                record["render_id"],
                record["channel"],
                record["variant"],
                record["status"],
                compliance["state"],
                compliance["verdict"] or "",
                compliance["rule_set"] or "",
                "; ".join(f"{finding.get('rule', '')}" for finding in compliance["findings"] or []),
                asset.get("id", ""),
                asset.get("sha256", ""),
                marks.get("visible_label", ""),
                aigc.get("Label", ""),
                aigc.get("ContentProducer", ""),
                aigc.get("ProduceID", ""),
                (marks.get("watermark") or {}).get("asset_id", ""),
                marks.get("c2pa", ""),
                asset.get("pdq") or "",
                asset.get("created_at", ""),
                record["review"]["state"] or "",
                "; ".join(
                    f"{d['action']} by {d['by']} at {d['at']}"
                    for d in record["review"]["decisions"]
                ),
                len(asset.get("unlabelled_exports", [])),
            ]
        )
    return out.getvalue()
