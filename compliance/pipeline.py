"""The ad-law check of generated copy, as the pipeline and the review queue use it.

A copy (generation.backends.text.base.Copy) is checked as one text: its fields joined by a
newline, in a fixed order, so a finding's offsets map back to one field (`field`, and `start`,
`end` within that field's text). A blocked copy is rewritten with the rules' suggestions, field
by field, and checked again, up to APP_COMPLIANCE_REWRITE_ROUNDS times; one still blocked is
dropped (no render). A product's own reference price (a poster shows it struck through) is
checked against its price history (compliance.prices): rewriting the copy cannot fix that, so a
block there drops the variant at once.

`copy_screen` decides per variant; after generation has created the renders, `screening_record`
opens review items (held renders), platform moderation cases (copy that was blocked before its
rewrite, and a sample of passed copy) and keeps the first check's findings for reports.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from generation.backends.text.base import Copy
from generation.models import BrandKit, Job, Product, Render
from tenants.models import Tenant

from . import checker
from .models import FindingRecord, ModerationCase, ReviewItem
from .moderation import cases_open, in_sample
from .prices import FIELD as PRICE_FIELD
from .prices import product_price_findings
from .selectors import brand_context, price_facts
from .types import BrandContext, CheckResult, Finding, Severity, Verdict, verdict_of

logger = logging.getLogger(__name__)

SEPARATOR = "\n"


def copy_fields(copy: Copy) -> list[tuple[str, str]]:
    """(name, text) of every text field, in the order they are joined for the check."""
    return [
        ("headline", copy.headline),
        ("subheadline", copy.subheadline),
        *((f"bullets[{i}]", bullet) for i, bullet in enumerate(copy.bullets)),
        ("cta", copy.cta),
        ("host_line", copy.host_line),
        ("social_post", copy.social_post),
    ]


def copy_from_fields(original: Copy, texts: dict[str, str]) -> Copy:
    return Copy(
        headline=texts["headline"],
        subheadline=texts["subheadline"],
        bullets=tuple(texts[f"bullets[{i}]"] for i in range(len(original.bullets))),
        cta=texts["cta"],
        host_line=texts["host_line"],
        social_post=texts["social_post"],
    )


@dataclass(frozen=True)
class _Span:
    name: str
    start: int  # offsets of the field in the joined text
    end: int


def _join(fields: Sequence[tuple[str, str]]) -> tuple[str, list[_Span]]:
    spans, position = [], 0
    for name, text in fields:
        spans.append(_Span(name, position, position + len(text)))
        position += len(text) + len(SEPARATOR)
    return SEPARATOR.join(text for _name, text in fields), spans


def _field_of(spans: Sequence[_Span], offset: int) -> _Span:
    for span in spans:
        if offset <= span.end:
            return span
    return spans[-1]


@dataclass(frozen=True)
class CopyCheck:
    """One check of a whole copy: the checker's result plus the product's price findings."""

    result: CheckResult  # on the joined text
    verdict: Verdict
    spans: tuple[_Span, ...]
    price_findings: tuple[Finding, ...] = ()

    @property
    def text_blocked(self) -> bool:
        return any(f.severity == Severity.BLOCK for f in self.result.findings)

    def findings_by_field(self) -> dict[str, list[Finding]]:
        """The text findings with offsets within their field (a match across the separator is
        cut at the end of the field it starts in)."""
        by_field: dict[str, list[Finding]] = {}
        for finding in self.result.findings:
            span = _field_of(self.spans, finding.start)
            by_field.setdefault(span.name, []).append(
                replace(
                    finding,
                    start=finding.start - span.start,
                    end=min(finding.end, span.end) - span.start,
                )
            )
        return by_field

    def findings_json(self) -> list[dict[str, Any]]:
        found = [
            {**finding.as_json(), "field": name}
            for name, findings in self.findings_by_field().items()
            for finding in findings
        ]
        found += [{**f.as_json(), "field": PRICE_FIELD} for f in self.price_findings]
        return found

    def citations_json(self) -> list[dict[str, Any]]:
        cited = []
        for citation in self.result.citations:
            span = _field_of(self.spans, citation.start)
            cited.append(
                {
                    **citation.as_json(),
                    "field": span.name,
                    "start": citation.start - span.start,
                    "end": min(citation.end, span.end) - span.start,
                }
            )
        return cited

    def as_json(self) -> dict[str, Any]:
        """The shape stored on Render.compliance and returned by the review API."""
        return {
            "verdict": str(self.verdict),
            "findings": self.findings_json(),
            "citations": self.citations_json(),
            "warnings": list(self.result.warnings),
            "ruleset_version": self.result.ruleset_version,
        }


def copy_check(
    copy: Copy,
    *,
    context: BrandContext,
    lang: str | None = None,
    category: str | None = None,
) -> CopyCheck:
    """Check every text field of `copy` (and the product's reference price in `context`)."""
    text, spans = _join(copy_fields(copy))
    result = checker.check_text(text, lang=lang, category=category or None, context=context)
    price = tuple(product_price_findings(context.prices))
    verdict = verdict_of((*result.findings, *price))
    return CopyCheck(result=result, verdict=verdict, spans=tuple(spans), price_findings=price)


def copy_rewrite(copy: Copy, check: CopyCheck) -> Copy:
    """The copy with the rules' suggestions in place of its blocking findings, field by field.

    Findings at review are left for a person (evidence may prove them); a match that ran
    across two fields is left too (its suggestion was written for the whole match).
    """
    texts = dict(copy_fields(copy))
    for name, findings in check.findings_by_field().items():
        blocking = tuple(
            f
            for f in findings
            if f.severity == Severity.BLOCK and texts[name][f.start : f.end] == f.match
        )
        if blocking:
            own = replace(check.result, findings=blocking, citations=())
            texts[name] = checker.rewrite(texts[name], own)
    return copy_from_fields(copy, texts)


# THE PIPELINE -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenedVariant:
    """A variant that will be rendered: its (possibly rewritten) copy and last check."""

    variant: int
    copy: Copy
    check: CopyCheck
    rewrites: int
    first_verdict: Verdict
    original: Copy

    @property
    def compliance_state(self) -> str:
        if self.check.verdict == Verdict.REVIEW:
            return Render.ComplianceState.HELD
        return Render.ComplianceState.PASSED

    def render_fields(self) -> dict[str, Any]:
        """What a Render of this variant stores: its copy, state, verdict and the record."""
        record = self.check.as_json()
        record["rewrites"] = self.rewrites
        record["first_verdict"] = str(self.first_verdict)
        if self.rewrites:
            record["original_copy"] = self.original.as_json()
        return {
            "copy": self.copy.as_json(),
            "compliance_state": self.compliance_state,
            "compliance_verdict": str(self.check.verdict),
            "ruleset_version": self.check.result.ruleset_version,
            "compliance": record,
        }


@dataclass(frozen=True)
class DroppedVariant:
    variant: int
    reason: str
    findings: list[dict[str, Any]]


@dataclass(frozen=True)
class Screening:
    kept: dict[int, ScreenedVariant]
    dropped: list[DroppedVariant]
    ruleset_version: str
    first_findings: list[tuple[int, Finding]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the job records: counts, and why each dropped variant was dropped."""
        kept = self.kept.values()
        return {
            "ruleset_version": self.ruleset_version,
            "checked": len(self.kept) + len(self.dropped),
            "passed": sum(1 for v in kept if v.check.verdict == Verdict.PASS),
            "held": sum(1 for v in kept if v.check.verdict == Verdict.REVIEW),
            "rewritten": sum(1 for v in kept if v.rewrites),
            "dropped": [
                {"variant": d.variant, "reason": d.reason, "findings": d.findings}
                for d in self.dropped
            ],
        }


def _drop_reason(check: CopyCheck, rounds: int) -> str:
    if any(f.severity == Severity.BLOCK for f in check.price_findings):
        return next(f.message for f in check.price_findings if f.severity == Severity.BLOCK)
    blocking = [f for f in check.result.findings if f.severity == Severity.BLOCK]
    listed = "; ".join(f"“{f.match}” ({f.reference})" for f in blocking[:5])
    return f"Still blocked after {rounds} automatic rewrite(s): {listed}."


def _screen_one(
    variant: int, copy: Copy, *, context: BrandContext, lang: str, category: str, rounds: int
) -> tuple[ScreenedVariant | DroppedVariant, CopyCheck]:
    first = check = copy_check(copy, context=context, lang=lang, category=category)
    current, done = copy, 0
    while check.verdict == Verdict.BLOCK and check.text_blocked and done < rounds:
        rewritten = copy_rewrite(current, check)
        done += 1
        if rewritten == current:
            break  # the suggestions change nothing: another round would not either
        current = rewritten
        check = copy_check(current, context=context, lang=lang, category=category)
    if check.verdict == Verdict.BLOCK:
        return DroppedVariant(variant, _drop_reason(check, done), check.findings_json()), first
    return (
        ScreenedVariant(
            variant=variant,
            copy=current,
            check=check,
            rewrites=done,
            first_verdict=first.verdict,
            original=copy,
        ),
        first,
    )


def copy_screen(
    *, tenant: Tenant, kit: BrandKit, copies: Sequence[Copy], products: Sequence[Product]
) -> Screening:
    """Check every variant's copy (variant i is about products[i % len(products)]): rewrite a
    blocked one up to APP_COMPLIANCE_REWRITE_ROUNDS times, drop it if it stays blocked.

    Pure apart from reads (the brand's context); writes nothing.
    """
    base = brand_context(tenant=tenant, kit=kit)
    contexts: dict[int, BrandContext] = {}
    rounds = settings.APP_COMPLIANCE_REWRITE_ROUNDS
    kept: dict[int, ScreenedVariant] = {}
    dropped: list[DroppedVariant] = []
    first_findings: list[tuple[int, Finding]] = []
    for variant, copy in enumerate(copies):
        product = products[variant % len(products)] if products else None
        if product is not None and product.pk not in contexts:
            contexts[product.pk] = replace(
                base, prices=price_facts(tenant=tenant, product=product, today=base.today)
            )
        context = contexts[product.pk] if product is not None else base
        outcome, first = _screen_one(
            variant,
            copy,
            context=context,
            lang=kit.language,
            category=product.category if product is not None else "",
            rounds=rounds,
        )
        first_findings += [(variant, f) for f in (*first.result.findings, *first.price_findings)]
        if isinstance(outcome, DroppedVariant):
            dropped.append(outcome)
        else:
            kept[variant] = outcome
    return Screening(
        kept=kept,
        dropped=dropped,
        ruleset_version=checker.ruleset_version(),
        first_findings=first_findings,
    )


def screening_record(*, job: Job, renders: Sequence[Render], screening: Screening) -> None:
    """After the job's renders exist: review items for the held ones, platform cases for copy
    that was blocked before its rewrite and for a sample of passed renders, and the first
    check's findings for reports. Same transaction as the renders."""
    tenant_id = job.tenant_id
    held = [r for r in renders if r.compliance_state == Render.ComplianceState.HELD]
    ReviewItem.objects.bulk_create(
        [ReviewItem(tenant_id=tenant_id, render=r, job=job) for r in held],
        ignore_conflicts=True,
    )
    rewritten_variants = {
        variant for variant, kept in screening.kept.items() if kept.first_verdict == Verdict.BLOCK
    }
    rewritten_from_block = [r.pk for r in renders if r.variant in rewritten_variants]
    cases_open(
        tenant_id=tenant_id, render_ids=rewritten_from_block, reason=ModerationCase.Reason.BLOCK
    )
    sampled = [
        r.pk
        for r in renders
        if r.compliance_state == Render.ComplianceState.PASSED
        and r.variant not in rewritten_variants
        and in_sample(r.pk)
    ]
    cases_open(tenant_id=tenant_id, render_ids=sampled, reason=ModerationCase.Reason.SAMPLE)
    FindingRecord.objects.bulk_create(
        [
            FindingRecord(
                tenant_id=tenant_id,
                job=job,
                variant=variant,
                rule=finding.rule[:80],
                family=finding.family[:40],
                reference=finding.reference[:200],
                severity=str(finding.severity),
            )
            for variant, finding in screening.first_findings
        ]
    )
    logger.info(
        "compliance.screened",
        extra={
            "tenant_id": tenant_id,
            "job_id": job.pk,
            "held": len(held),
            "moderation_block": len(rewritten_from_block),
            "moderation_sample": len(sampled),
            "dropped": len(screening.dropped),
        },
    )
