import zlib
from datetime import date
from decimal import Decimal

import pytest

from compliance.checker import check_text, rewrite
from compliance.types import BrandContext, Citation, Evidence, PriceFacts, Severity, Verdict

TODAY = date(2026, 12, 4)


def text_id(value: object) -> str | None:
    # Escaped Chinese ids (\u5f00...) would let `-k 'not db'` deselect tests; digits cannot.
    return f"text-{zlib.crc32(value.encode())}" if isinstance(value, str) else None


def evidence(claim: str, valid_from: date, valid_until: date | None, pk: int = 7) -> Evidence:
    return Evidence(
        id=pk,
        claim=claim,
        title="天猫面霜类目2026年度销量第一",
        issuer="天猫",
        valid_from=valid_from,
        valid_until=valid_until,
    )


def prices(lowest: str | None, currency: str = "CNY") -> PriceFacts:
    return PriceFacts(
        currency=currency,
        price=Decimal("199"),
        reference_price=Decimal("399"),
        lowest_7_days=Decimal(lowest) if lowest is not None else None,
    )


def test_valid_evidence_turns_a_claim_into_a_citation():
    context = BrandContext(
        evidence=(evidence("sales_rank", date(2026, 1, 1), date(2026, 12, 31)),), today=TODAY
    )
    result = check_text("全网销量第一的面霜", category="cosmetics", context=context)
    assert result.verdict is Verdict.PASS
    assert result.findings == ()
    assert result.citations == (
        Citation(
            rule="zh.claim.sales_rank",
            match="全网销量第一",
            start=0,
            end=6,
            evidence_id=7,
            evidence_title="天猫面霜类目2026年度销量第一",
            issuer="天猫",
        ),
    )


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        (date(2025, 1, 1), date(2026, 12, 3)),  # expired the day before
        (date(2026, 12, 5), None),  # not valid yet
    ],
)
def test_evidence_outside_its_validity_does_not_count(valid_from, valid_until):
    context = BrandContext(evidence=(evidence("sales_rank", valid_from, valid_until),), today=TODAY)
    result = check_text("全网销量第一的面霜", category="cosmetics", context=context)
    assert [f.rule for f in result.findings] == ["zh.claim.sales_rank"]
    assert result.citations == ()


def test_evidence_is_valid_on_its_first_and_last_day():
    for day in (date(2026, 1, 1), date(2026, 12, 31)):
        context = BrandContext(
            evidence=(evidence("sales_rank", date(2026, 1, 1), date(2026, 12, 31)),), today=day
        )
        assert check_text("销量第一", context=context).verdict is Verdict.PASS


def test_evidence_of_another_kind_does_not_count():
    context = BrandContext(evidence=(evidence("award", date(2026, 1, 1), None),), today=TODAY)
    result = check_text("销量第一，荣获金奖", category="cosmetics", context=context)
    assert [f.rule for f in result.findings] == ["zh.claim.sales_rank"]
    assert [c.rule for c in result.citations] == ["zh.claim.award"]


def test_evidence_never_excuses_a_rule_that_does_not_ask_for_it():
    context = BrandContext(evidence=(evidence("sales_rank", date(2026, 1, 1), None),), today=TODAY)
    result = check_text("行业第一品牌", category="home", context=context)
    assert result.verdict is Verdict.BLOCK
    assert result.citations == ()


def test_evidence_validity_defaults_to_today():
    current = BrandContext(evidence=(evidence("clinical", date(2020, 1, 1), None),))
    expired = BrandContext(evidence=(evidence("clinical", date(2020, 1, 1), date(2021, 1, 1)),))
    assert check_text("Clinically proven.", context=current).verdict is Verdict.PASS
    assert check_text("Clinically proven.", context=expired).verdict is Verdict.REVIEW


def test_brand_banned_words_block_with_exact_spans():
    context = BrandContext(banned_words=("竞品", "Cheap"))
    result = check_text("比竞品好用，not cheap at all, cheaply made", context=context)
    assert [(f.rule, f.family, f.match, f.start, f.end, f.severity) for f in result.findings] == [
        ("brand.banned", "brand", "竞品", 1, 3, Severity.BLOCK),
        ("brand.banned", "brand", "cheap", 10, 15, Severity.BLOCK),
    ]
    assert result.verdict is Verdict.BLOCK
    assert rewrite("比竞品好用", check_text("比竞品好用", context=context)) == "比好用"


def test_a_banned_word_inside_a_milder_finding_still_blocks():
    plain = check_text("限时秒杀，手慢无")
    assert plain.verdict is Verdict.REVIEW  # urgency is a review-level finding

    result = check_text("限时秒杀，手慢无", context=BrandContext(banned_words=("秒杀",)))

    banned = [f for f in result.findings if f.rule == "brand.banned"]
    assert [(f.match, f.start, f.end) for f in banned] == [("秒杀", 2, 4)]
    assert result.verdict is Verdict.BLOCK


def test_an_allowed_phrase_clears_the_findings_inside_it():
    context = BrandContext(allowed_phrases=("第一名媛",))
    result = check_text("第一名媛同款，第一名的口碑", context=context)
    assert [(f.match, f.start) for f in result.findings] == [("第一名", 7)]


def test_an_allowed_phrase_does_not_clear_a_longer_finding_around_it():
    context = BrandContext(allowed_phrases=("最低",))
    result = check_text("全网最低价", context=context)
    assert [f.rule for f in result.findings] == ["zh.price.lowest"]


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        ("原价399元，今天199", prices("249"), (Severity.BLOCK, "原价399元")),
        ("原价249元，今天199", prices("249"), None),
        ("原价199，今天179", prices("249"), None),
        ("划线价￥1,299.00 到手999", prices("1299.00"), None),
        ("划线价￥1,299.50 到手999", prices("1299.00"), (Severity.BLOCK, "划线价￥1,299.50")),
        ("专柜价1280，到手价580", None, (Severity.REVIEW, "专柜价1280")),
        ("吊牌价599，直降400", prices(None), (Severity.REVIEW, "吊牌价599")),
        ("Was $129, now $59.", prices("100", currency="USD"), (Severity.BLOCK, "Was $129")),
        ("Was $99, now $59.", prices("100", currency="USD"), None),
        ("Was $99, now $59.", prices("100", currency="CNY"), (Severity.REVIEW, "Was $99")),
        ("RRP £45, today £19.99.", None, (Severity.REVIEW, "RRP £45")),
        (
            "Originally $80, now $40.",
            prices(None, currency="USD"),
            (Severity.REVIEW, "Originally $80"),
        ),
    ],
    ids=text_id,
)
def test_comparison_prices_are_judged_against_the_7_day_lowest(text, facts, expected):
    result = check_text(text, context=BrandContext(prices=facts) if facts else None)
    found = [(f.severity, f.match) for f in result.findings if f.family == "price"]
    assert found == ([expected] if expected else [])
    if expected:
        message = result.findings[0].message
        if expected[0] is Severity.REVIEW:
            assert "verif" in message or "无法核实" in message
        assert result.findings[0].reference == "《明码标价和禁止价格欺诈规定》第十六条、第十七条"


def test_a_false_lowest_price_claim_blocks_whatever_the_history():
    result = check_text("全网最低价", context=BrandContext(prices=prices("1")))
    assert [(f.rule, f.severity) for f in result.findings] == [("zh.price.lowest", Severity.BLOCK)]
