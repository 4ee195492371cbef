"""Check ad copy against 《广告法》, the price rules and a brand's own words; rewrite findings.

Pure and thread-safe: the rulebook is compiled once per process (per rules directory) and only
read afterwards; everything about a brand arrives in a `BrandContext`.

One check reads the lowercased text once with the rulebook's Aho-Corasick automaton. Each term
hit is then tested against its rule's context (the words around it, the segmented word for the
few rules that need jieba), and a pattern rule's regex runs only when one of its anchors was
seen. Findings inside a longer finding are dropped (全网最低价 is one price finding, not also a
最 superlative), as are findings inside a safe phrase of the rulebook or an allowed phrase of
the brand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from compliance import rulebook, segment
from compliance.rulebook import Rule, Rulebook, is_word_char
from compliance.types import (
    BrandContext,
    CheckResult,
    Citation,
    Evidence,
    Finding,
    PriceFacts,
    Severity,
    verdict_of,
)

MAX_TEXT_CHARS = 100_000

BRAND_BANNED_RULE = "brand.banned"
BRAND_BANNED_REFERENCE = "品牌禁用词（品牌规范）"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")

# The currency a comparison price is written in, when it says so.
_CURRENCY_MARKS = (
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("元", "CNY"),
    ("rmb", "CNY"),
    ("cny", "CNY"),
    ("$", "USD"),
    ("usd", "USD"),
    ("£", "GBP"),
    ("€", "EUR"),
)


_CLAUSE_ENDS = frozenset("，。！？；,.!?;\n（(")


class TextRefused(ValueError):
    """The text cannot be checked (empty or too long); the message is one sentence."""


def _rules_dir() -> str:
    from django.conf import settings

    if settings.configured:
        configured = getattr(settings, "APP_COMPLIANCE_RULES_DIR", None)
        if configured:
            return str(configured)
    return str(rulebook.DEFAULT_RULES_DIR)


@functools.cache
def _compiled(rules_dir: str) -> Rulebook:
    from pathlib import Path

    return rulebook.load(Path(rules_dir))


def current_rulebook() -> Rulebook:
    """The compiled rulebook of `settings.APP_COMPLIANCE_RULES_DIR` (default compliance/rules)."""
    return _compiled(_rules_dir())


def ruleset_version() -> str:
    return current_rulebook().version


def known_categories() -> tuple[str, ...]:
    return current_rulebook().categories


def evidence_kinds() -> frozenset[str]:
    """The evidence kinds the rules ask for (`needs_evidence`): what Evidence.claim may be."""
    rules = current_rulebook().rules
    return frozenset(rule.needs_evidence for rule in rules if rule.needs_evidence)


def warm_up() -> None:
    """Compile the rules and load jieba now, once per process (workers call this at start)."""
    current_rulebook()
    segment.tokenizer()
    check_text("最近很火的最佳面霜，第一次购买送小样。The best serum, clinically proven.")


def detect_lang(text: str) -> str:
    """'zh' when Chinese characters are at least a quarter of the letters, else 'en'."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return "en"
    return "zh" if cjk * 3 >= len(_LATIN.findall(text)) else "en"


def _lowered(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lowercase to two (İ -> i̇); keep those as they are so offsets still match.
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


def _language(lang: str | None, text: str) -> tuple[str, str | None]:
    if lang is None or not lang.strip():
        return detect_lang(text), None
    wanted = lang.strip().lower()
    for known in ("zh", "en"):
        if wanted == known or wanted.startswith(known + "-") or wanted.startswith(known + "_"):
            return known, None
    detected = detect_lang(text)
    return detected, f"Unknown language {lang.strip()!r}: checked as {detected}."


def _in_context(rule: Rule, text: str, lowered: str, start: int, end: int) -> bool:
    """Whether the words around a hit keep it a claim (False: the context clears it)."""
    if rule.not_preceded_by and lowered.endswith(rule.not_preceded_by, 0, start):
        return False
    if rule.not_followed_by and lowered.startswith(rule.not_followed_by, end):
        return False
    if rule.not_followed_by_pattern is not None and rule.not_followed_by_pattern.match(
        lowered, end
    ):
        return False
    if rule.not_preceded_by_pattern is not None and rule.not_preceded_by_pattern.search(
        lowered, max(0, start - 30), start
    ):
        return False
    if rule.except_words:
        # Segment only when one of the excepted words overlaps the hit (最 next to 近).
        reach = rule.except_words_longest - 1
        window = lowered[max(0, start - reach) : end + reach]
        if (
            any(word in window for word in rule.except_words)
            and segment.word_at(text, start).lower() in rule.except_words
        ):
            return False
    return True


def _currency(matched: str) -> str | None:
    lowered = matched.lower()
    for mark, currency in _CURRENCY_MARKS:
        if mark in lowered:
            return currency
    return None


def _price_severity(
    matched: str, amount_text: str, prices: PriceFacts | None
) -> tuple[Severity, bool] | None:
    """(severity, verifiable) of a comparison price, or None when it is lawful."""
    if prices is None or prices.lowest_7_days is None:
        return Severity.REVIEW, False
    currency = _currency(matched)
    if currency is not None and currency != prices.currency.upper():
        return Severity.REVIEW, False
    try:
        amount = Decimal(amount_text.replace(",", ""))
    except InvalidOperation:
        return Severity.REVIEW, False
    if amount > prices.lowest_7_days:
        return Severity.BLOCK, True
    return None


def _make_finding(
    rule: Rule, text: str, start: int, end: int, category: str, like: Finding | None = None
) -> Finding:
    matched = text[start:end]
    suggestion = rule.suggestion_for(matched)
    if suggestion[:1].islower() and matched[:1].isupper():
        suggestion = suggestion[0].upper() + suggestion[1:]  # "The best" -> "A great"
    return Finding(
        rule=rule.id,
        family=rule.family,
        match=matched,
        start=start,
        end=end,
        severity=like.severity if like is not None else rule.severity,
        reference=like.reference if like is not None else rule.reference_for(category),
        suggestion=suggestion,
        message=like.message if like is not None else rule.message,
    )


def _clause_end(text: str, position: int) -> int:
    """Where the clause that `position` is in ends (its punctuation, or the end of the text)."""
    length = len(text)
    while position < length:
        char = text[position]
        if char in _CLAUSE_ENDS and not (
            char == "." and position + 1 < length and text[position + 1].isdigit()
        ):
            return position
        position += 1
    return length


def _line_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each line. A line break ends a sentence (a script's lines, a copy's
    fields), so a pattern reads one line at a time: a claim is never stitched together from
    the end of one line and the start of the next."""
    if "\n" not in text:
        return ((0, len(text)),)
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return tuple(spans)


def _line_matches(
    pattern: re.Pattern[str], text: str, lines: tuple[tuple[int, int], ...]
) -> Iterator[re.Match[str]]:
    for start, end in lines:
        yield from pattern.finditer(text, start, end)


def _rule_findings(
    book: Rulebook,
    text: str,
    lowered: str,
    active: tuple[bool, ...],
    category: str,
    prices: PriceFacts | None,
) -> tuple[list[Finding], list[tuple[int, int]]]:
    """Every rule's findings in the text, and the spans of the rulebook's safe phrases."""
    rules = book.rules
    hits: list[tuple[int, int, int]] = []
    safe_spans: list[tuple[int, int]] = []
    triggered: set[int] = set()
    for last, entry in book.automaton.iter(lowered):
        end = last + 1
        start = end - entry.length
        if entry.is_safe_phrase:
            safe_spans.append((start, end))
        if entry.term_rules:
            bounded = not (
                (entry.left_boundary and start and is_word_char(lowered[start - 1]))
                or (entry.right_boundary and end < len(lowered) and is_word_char(lowered[end]))
            )
            for index in entry.term_rules:
                if active[index] and (bounded or not rules[index].word_boundary):
                    hits.append((start, end, index))
        for index in entry.anchor_rules:
            if active[index]:
                triggered.add(index)
    for index in book.unanchored_pattern_rules:
        if active[index]:
            triggered.add(index)

    findings: list[Finding] = []
    reported_once: set[int] = set()
    for start, end, index in hits:
        rule = rules[index]
        if rule.unless_text_contains and any(s in lowered for s in rule.unless_text_contains):
            continue
        if rule.kind == "missing_sentence":
            if index in reported_once or not _in_context(rule, text, lowered, start, end):
                continue
            reported_once.add(index)
            # The whole claim's clause, so that the sentence goes after it, not inside a word.
            findings.append(_make_finding(rule, text, start, _clause_end(text, end), category))
        elif _in_context(rule, text, lowered, start, end):
            findings.append(_make_finding(rule, text, start, end, category))

    lines = _line_spans(text)
    for index in sorted(triggered):
        rule = rules[index]
        if rule.unless_text_contains and any(s in lowered for s in rule.unless_text_contains):
            continue
        for pattern in rule.patterns:
            for match in _line_matches(pattern, text, lines):
                start, end = match.span()
                if start == end or not _in_context(rule, text, lowered, start, end):
                    continue
                finding = _make_finding(rule, text, start, end, category)
                if rule.kind == "price_comparison":
                    judged = _price_severity(match.group(), match.group("amount"), prices)
                    if judged is None:
                        continue
                    severity, verifiable = judged
                    finding = _replace(
                        finding,
                        severity=severity,
                        message=rule.message if verifiable else rule.message_unverifiable,
                    )
                elif rule.kind == "missing_sentence":
                    if index in reported_once:
                        continue
                    reported_once.add(index)
                findings.append(finding)
    return findings, safe_spans


def _replace(finding: Finding, *, severity: Severity, message: str) -> Finding:
    return Finding(
        rule=finding.rule,
        family=finding.family,
        match=finding.match,
        start=finding.start,
        end=finding.end,
        severity=severity,
        reference=finding.reference,
        suggestion=finding.suggestion,
        message=message,
    )


def _outermost(findings: list[Finding], text: str, book: Rulebook) -> list[Finding]:
    """One finding per phrase: drop those inside a longer finding, join overlapping ones of
    the same rule (国家领导人 + 领导人同款). A missing sentence (the health-food disclaimer) is
    about what the text lacks, so it neither hides nor is hidden by what the text says. A
    brand's banned word is hidden only by a blocking finding: a banned 秒杀 inside the
    review-level 限时秒杀 still blocks."""
    missing_ids = book.missing_sentence_rules
    missing = [f for f in findings if f.rule in missing_ids]
    said = [f for f in findings if f.rule not in missing_ids]
    said.sort(key=lambda f: (f.start, -f.end, f.rule))
    kept: list[Finding] = []
    widest: tuple[int, int] = (-1, -1)  # the earlier span that reaches furthest right
    widest_blocks = False
    seen: set[tuple[str, int, int]] = set()
    for finding in said:
        span = (finding.start, finding.end)
        inside = widest[1] >= finding.end and widest != span
        # A rule's longer phrase speaks for the words inside it (销量第一 is a claim, not a
        # superlative), but a brand's own ban is not a rule's to waive.
        if inside and (widest_blocks or finding.rule != BRAND_BANNED_RULE):
            continue
        key = (finding.rule, finding.start, finding.end)
        if key in seen:
            continue
        seen.add(key)
        previous = kept[-1] if kept else None
        if previous is not None and previous.rule == finding.rule and finding.start < previous.end:
            rule = book.rules_by_id[finding.rule]
            kept[-1] = _make_finding(rule, text, previous.start, finding.end, "", previous)
        else:
            kept.append(finding)
        if finding.end > widest[1]:
            widest, widest_blocks = span, finding.severity == Severity.BLOCK
    return kept + missing


def _occurrences(lowered: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for phrase in phrases:
        needle = phrase.strip().lower()
        if not needle:
            continue
        at = lowered.find(needle)
        while at >= 0:
            spans.append((at, at + len(needle)))
            at = lowered.find(needle, at + 1)
    return spans


def _inside(finding: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(start <= finding.start and finding.end <= end for start, end in spans)


def _banned(text: str, lowered: str, words: Iterable[str]) -> list[Finding]:
    findings = []
    for word in words:
        for start, end in _occurrences(lowered, (word,)):
            if is_word_char(lowered[start]) and start and is_word_char(lowered[start - 1]):
                continue
            if is_word_char(lowered[end - 1]) and end < len(lowered) and is_word_char(lowered[end]):
                continue
            findings.append(
                Finding(
                    rule=BRAND_BANNED_RULE,
                    family="brand",
                    match=text[start:end],
                    start=start,
                    end=end,
                    severity=Severity.BLOCK,
                    reference=BRAND_BANNED_REFERENCE,
                    suggestion="",
                    message="The brand does not allow this word in its copy.",
                )
            )
    return findings


def _valid_evidence(evidence: tuple[Evidence, ...], claim: str, day: date) -> Evidence | None:
    for item in sorted(evidence, key=lambda item: item.id):
        if item.claim == claim and item.valid_on(day):
            return item
    return None


def check_text(
    text: str,
    *,
    lang: str | None = None,
    category: str | None = None,
    context: BrandContext | None = None,
) -> CheckResult:
    """Judge one text. Raises TextRefused when it is empty or longer than MAX_TEXT_CHARS.

    `lang` None detects it; `category` is a product category in Chinese or English (None or
    "" is general; an unknown one is checked as general with a warning).
    """
    if not isinstance(text, str) or not text.strip():
        raise TextRefused("The text is empty; there is nothing to check.")
    if len(text) > MAX_TEXT_CHARS:
        raise TextRefused(
            f"The text has {len(text):,} characters; the checker takes at most {MAX_TEXT_CHARS:,}."
        )
    book = current_rulebook()
    warnings: list[str] = []
    resolved_category, category_warning = book.resolve_category(category)
    if category_warning:
        warnings.append(category_warning)
    resolved_lang, lang_warning = _language(lang, text)
    if lang_warning:
        warnings.append(lang_warning)
    lowered = _lowered(text)
    findings, safe_spans = _rule_findings(
        book,
        text,
        lowered,
        book.active(resolved_lang, resolved_category),
        resolved_category,
        context.prices if context is not None else None,
    )
    if context is not None and context.banned_words:
        findings += _banned(text, lowered, context.banned_words)
    findings = _outermost(findings, text, book)
    if safe_spans:
        findings = [finding for finding in findings if not _inside(finding, safe_spans)]

    citations: list[Citation] = []
    if context is not None:
        allowed = _occurrences(lowered, context.allowed_phrases)
        if allowed:
            findings = [finding for finding in findings if not _inside(finding, allowed)]
        if context.evidence:
            day = context.today or date.today()
            unproven = []
            for finding in findings:
                rule = book.rules_by_id.get(finding.rule)
                proof = (
                    _valid_evidence(context.evidence, rule.needs_evidence, day)
                    if rule is not None and rule.needs_evidence
                    else None
                )
                if proof is None:
                    unproven.append(finding)
                    continue
                citations.append(
                    Citation(
                        rule=finding.rule,
                        match=finding.match,
                        start=finding.start,
                        end=finding.end,
                        evidence_id=proof.id,
                        evidence_title=proof.title,
                        issuer=proof.issuer,
                    )
                )
            findings = unproven

    return CheckResult(
        verdict=verdict_of(findings),
        findings=tuple(findings),
        ruleset_version=book.version,
        citations=tuple(citations),
        warnings=tuple(warnings),
    )


_CLAUSE_MARKS = frozenset("，,、；;：:")
_END_MARKS = frozenset("。！？!?.…～~")


def rewrite(text: str, result: CheckResult) -> str:
    """The text with each finding's suggestion in place of its match, right to left.

    A suggestion that starts with its match adds to it (the health-food sentence after the
    claim) and is inserted at the match's end, so it never conflicts with a finding inside
    that match. Another edit that overlaps one already applied is skipped. Deleting a match
    (suggestion "") also drops the comma or space it leaves dangling; when nothing but
    punctuation is left the result is "". Raises ValueError when the result was not made for
    this text.
    """
    edits: list[tuple[int, int, str]] = []
    for finding in result.findings:
        if text[finding.start : finding.end] != finding.match:
            raise ValueError("The check result does not belong to this text.")
        if finding.match and finding.suggestion.startswith(finding.match):
            edits.append((finding.end, finding.end, finding.suggestion[len(finding.match) :]))
        else:
            edits.append((finding.start, finding.end, finding.suggestion))
    edits.sort(reverse=True)
    covered = {index for start, end, _ in edits for index in range(start, end)}
    rewritten = text
    applied_from = len(text) + 1
    for start, end, replacement in edits:
        if end > applied_from:
            continue
        edit_start = start
        if not replacement:
            left = rewritten[start - 1] if start else ""
            right = rewritten[end] if end < len(rewritten) else ""
            if (right == " " and left in ("", " ")) or (
                right in _CLAUSE_MARKS and (not left or left in _CLAUSE_MARKS | _END_MARKS)
            ):
                end += 1
            elif not right or right in _END_MARKS | _CLAUSE_MARKS:
                # "serum, clinically proven." -> "serum."
                while start and rewritten[start - 1] in _CLAUSE_MARKS | {" "}:
                    if start - 1 in covered:
                        break
                    start -= 1
        rewritten = rewritten[:start] + replacement + rewritten[end:]
        applied_from = min(edit_start, start)
    if rewritten != text:
        if not any(char.isalnum() for char in rewritten):
            return ""
        # A deletion at either end leaves no space or comma hanging there.
        if not text[:1].isspace():
            rewritten = rewritten.lstrip(" ,，、;；:：.。!！?？")
        if not text[-1:].isspace():
            rewritten = rewritten.rstrip()
    return rewritten
