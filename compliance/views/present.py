"""Check results shaped for the templates: numbered findings with labels, highlighted text."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..highlight import Segment, highlight
from ..models import ComplianceDecision
from ..prices import FIELD as PRICE_FIELD
from ..reason_codes import REASON_CODES
from ..types import CheckResult, Citation, Finding

VERDICT_LABELS: dict[str, Promise] = {
    "pass": _("Passes"),
    "review": _("Needs review"),
    "block": _("Must change"),
}
SEVERITY_LABELS: dict[str, Promise] = {
    "block": _("Must change"),
    "review": _("Review"),
}


def verdict_label(verdict: str) -> str:
    return str(VERDICT_LABELS.get(verdict, verdict))


@dataclass(frozen=True)
class FindingRow:
    number: int
    rule: str
    family: str
    match: str
    severity: str
    severity_label: str
    reference: str
    suggestion: str
    message: str
    in_text: bool  # False for findings about the product (its prices), not a span of the text


@dataclass(frozen=True)
class CitationRow:
    match: str
    rule: str
    evidence_id: int | None
    evidence_title: str
    issuer: str


def _get(item: Finding | Citation | Mapping[str, Any], name: str, default: Any = "") -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def finding_rows(
    findings: Sequence[Finding | Mapping[str, Any]], *, first_number: int = 1
) -> list[FindingRow]:
    rows = []
    for number, finding in enumerate(findings, start=first_number):
        severity = str(_get(finding, "severity", "review"))
        rows.append(
            FindingRow(
                number=number,
                rule=str(_get(finding, "rule")),
                family=str(_get(finding, "family")),
                match=str(_get(finding, "match")),
                severity=severity,
                severity_label=str(SEVERITY_LABELS.get(severity, severity)),
                reference=str(_get(finding, "reference")),
                suggestion=str(_get(finding, "suggestion")),
                message=str(_get(finding, "message")),
                in_text=_get(finding, "end", 0) > _get(finding, "start", 0)
                and _get(finding, "field", "") != PRICE_FIELD,
            )
        )
    return rows


def citation_rows(citations: Sequence[Citation | Mapping[str, Any]]) -> list[CitationRow]:
    return [
        CitationRow(
            match=str(_get(citation, "match")),
            rule=str(_get(citation, "rule")),
            evidence_id=_get(citation, "evidence_id", None),
            evidence_title=str(_get(citation, "evidence_title")),
            issuer=str(_get(citation, "issuer")),
        )
        for citation in citations
    ]


@dataclass(frozen=True)
class CheckedText:
    """One checked text as a page shows it."""

    label: str  # the copy field ("Headline"), "" for a pasted text
    segments: list[Segment]
    findings: list[FindingRow]
    citations: list[CitationRow]

    @property
    def block_count(self) -> int:
        return sum(1 for row in self.findings if row.severity == "block")

    @property
    def review_count(self) -> int:
        return sum(1 for row in self.findings if row.severity != "block")


def checked_text(
    text: str,
    findings: Sequence[Finding | Mapping[str, Any]],
    citations: Sequence[Citation | Mapping[str, Any]] = (),
    *,
    label: str = "",
    first_number: int = 1,
) -> CheckedText:
    return CheckedText(
        label=label,
        segments=highlight(text, findings, citations, first_number=first_number),
        findings=finding_rows(findings, first_number=first_number),
        citations=citation_rows(citations),
    )


def result_context(text: str, result: CheckResult) -> dict[str, Any]:
    return {
        "result": result,
        "verdict_label": verdict_label(str(result.verdict)),
        "checked": checked_text(text, result.findings, result.citations),
    }


# A RENDER'S COPY ------------------------------------------------------------------------------

COPY_FIELD_LABELS: dict[str, Promise] = {
    "headline": _("Headline"),
    "subheadline": _("Subheadline"),
    "bullets": _("Selling points"),
    "cta": _("Call to action"),
    "host_line": _("Host line"),
    "social_post": _("Social post"),
}


def copy_field_labels() -> dict[str, str]:
    return {name: str(label) for name, label in COPY_FIELD_LABELS.items()}


def _texts(copy: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, label, [(finding field name, text)]) of a stored copy's fields, in poster order:
    one text for most fields, one per line for the selling points (`bullets[0]`, …)."""
    fields = []
    names = [*COPY_FIELD_LABELS, *(name for name in copy if name not in COPY_FIELD_LABELS)]
    for name in names:
        value = copy.get(name)
        label = str(COPY_FIELD_LABELS.get(name, name))
        if isinstance(value, list):
            texts = [(f"{name}[{i}]", str(line)) for i, line in enumerate(value) if line]
        else:
            texts = [(name, str(value))] if value else []
        if texts:
            fields.append((name, label, texts))
    return fields


def copy_lines(copy: Any) -> list[tuple[str, str]]:
    """(label, text) of every field of a stored copy, for showing it plainly."""
    if not isinstance(copy, Mapping):
        return []
    return [(label, " · ".join(t for _f, t in texts)) for _name, label, texts in _texts(copy)]


@dataclass(frozen=True)
class CopySection:
    label: str
    items: list[CheckedText]  # one per text: several for the selling points

    @property
    def finding_count(self) -> int:
        return sum(len(item.findings) for item in self.items)


@dataclass(frozen=True)
class CopyReview:
    """A render's copy, field by field, with its last check's findings marked in place."""

    sections: list[CopySection]
    price_findings: list[FindingRow]
    verdict: str
    verdict_label: str
    ruleset_version: str
    warnings: list[str]

    @property
    def finding_count(self) -> int:
        return sum(s.finding_count for s in self.sections) + len(self.price_findings)


def copy_review(copy: Mapping[str, Any], record: Mapping[str, Any]) -> CopyReview:
    """`copy` (Render.copy) with the findings of `record` (Render.compliance, or a check's
    as_json from compliance.pipeline), numbered across the whole copy."""
    findings = [f for f in record.get("findings", []) if isinstance(f, Mapping)]
    citations = [c for c in record.get("citations", []) if isinstance(c, Mapping)]
    sections, number = [], 1
    for _name, label, texts in _texts(copy if isinstance(copy, Mapping) else {}):
        items = []
        for field, text in texts:
            own = [f for f in findings if f.get("field") == field]
            items.append(
                checked_text(
                    text,
                    own,
                    [c for c in citations if c.get("field") == field],
                    label=label,
                    first_number=number,
                )
            )
            number += len(own)
        sections.append(CopySection(label=label, items=items))
    price = [f for f in findings if f.get("field") == PRICE_FIELD]
    verdict = str(record.get("verdict", ""))
    return CopyReview(
        sections=sections,
        price_findings=finding_rows(price, first_number=number),
        verdict=verdict,
        verdict_label=verdict_label(verdict) if verdict else "",
        ruleset_version=str(record.get("ruleset_version", "")),
        warnings=[str(w) for w in record.get("warnings", [])],
    )


# DECISIONS ------------------------------------------------------------------------------------


def reason_label(code: str) -> str:
    reason = REASON_CODES.get(code)
    return str(reason.label) if reason is not None else code


def reason_article(code: str) -> str:
    reason = REASON_CODES.get(code)
    return reason.article if reason is not None else ""


@dataclass(frozen=True)
class DecisionRow:
    decision: ComplianceDecision
    reason_label: str
    reason_article: str


def decision_rows(decisions: Sequence[ComplianceDecision]) -> list[DecisionRow]:
    return [
        DecisionRow(d, reason_label(d.reason_code), reason_article(d.reason_code))
        for d in decisions
    ]
