"""What the ad-law checker takes and gives back: plain values, no database.

The checker (`compliance.checker`) is pure: everything it needs to know about a brand (its own
banned words and allowed phrases, its claim evidence, a product's recent prices) arrives in a
`BrandContext` built by `compliance.selectors`, so the same function serves the pipeline, the
API, the dashboard page and `manage.py check_copy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Severity(StrEnum):
    REVIEW = "review"
    BLOCK = "block"


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    REVIEW = "review"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A brand's proof for a claim that needs one (销量第一, 获奖, 实验证明, clinical results)."""

    id: int
    claim: str  # the evidence kind a rule asks for, e.g. "sales_rank", "award", "clinical"
    title: str
    issuer: str
    valid_from: date
    valid_until: date | None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class PriceFacts:
    """A product's prices for 《明码标价和禁止价格欺诈规定》 Arts. 16–17."""

    currency: str
    price: Decimal | None
    reference_price: Decimal | None
    # Lowest transaction price of the 7 days before today; None when the history does not
    # cover those 7 days, which makes any comparison price unverifiable.
    lowest_7_days: Decimal | None


@dataclass(frozen=True, slots=True)
class BrandContext:
    banned_words: tuple[str, ...] = ()
    allowed_phrases: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    prices: PriceFacts | None = None
    today: date | None = None  # evidence validity is judged on this day (default: today)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # rule id, e.g. "zh.superlative.zui"
    family: str  # rule family for reports, e.g. "superlative", "medical", "price"
    match: str
    start: int  # character offsets into the checked text, end exclusive
    end: int
    severity: Severity
    reference: str  # legal reference, e.g. "《广告法》第九条第（三）项"
    suggestion: str  # a rewrite for the matched text ("" = delete it)
    message: str = ""  # one sentence a person understands

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "family": self.family,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "severity": str(self.severity),
            "reference": self.reference,
            "suggestion": self.suggestion,
            "message": self.message,
        }


def verdict_of(findings: Sequence[Finding]) -> Verdict:
    """Block if any finding blocks, review if there is any other, else pass."""
    if any(finding.severity is Severity.BLOCK for finding in findings):
        return Verdict.BLOCK
    return Verdict.REVIEW if findings else Verdict.PASS


@dataclass(frozen=True, slots=True)
class Citation:
    """A claim the checker accepted because the brand holds valid evidence for it."""

    rule: str
    match: str
    start: int
    end: int
    evidence_id: int
    evidence_title: str
    issuer: str

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "evidence_id": self.evidence_id,
            "evidence_title": self.evidence_title,
            "issuer": self.issuer,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    verdict: Verdict
    findings: tuple[Finding, ...]
    ruleset_version: str
    citations: tuple[Citation, ...] = ()
    warnings: tuple[str, ...] = field(default=())  # e.g. an unknown category read as general

    def as_json(self) -> dict[str, object]:
        return {
            "verdict": str(self.verdict),
            "findings": [finding.as_json() for finding in self.findings],
            "citations": [citation.as_json() for citation in self.citations],
            "ruleset_version": self.ruleset_version,
            "warnings": list(self.warnings),
        }
