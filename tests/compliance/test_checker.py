import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from compliance import checker
from compliance.checker import TextRefused, check_text, rewrite
from compliance.types import Severity, Verdict


def text_id(value: object) -> str | None:
    # Escaped Chinese ids (\u5f00...) would let `-k 'not db'` deselect tests; digits cannot.
    return f"text-{zlib.crc32(value.encode())}" if isinstance(value, str) else None


def spans(text: str, **kwargs) -> list[tuple[str, str, int, int]]:
    result = check_text(text, **kwargs)
    return [(f.rule, f.match, f.start, f.end) for f in result.findings]


# Every family, with exact spans (character offsets into the original text).
@pytest.mark.parametrize(
    ("text", "category", "expected"),
    [
        ("这款精华是我用过最好用的", "cosmetics", [("zh.superlative.zuihao", "最好", 8, 10)]),
        (
            "史上最强控油散粉",
            "cosmetics",
            [
                ("zh.superlative.absolute", "史上", 0, 2),
                ("zh.superlative.zui", "最", 2, 3),
            ],
        ),
        ("最佳拍档", "cosmetics", [("zh.superlative.zuijia", "最佳", 0, 2)]),
        ("最高级的面料", "apparel", [("zh.superlative.zuijia", "最高级", 0, 3)]),
        ("最大的亮点是续航", "electronics", [("zh.superlative.zui_measure", "最大", 0, 2)]),
        ("行业第一，值得信赖", "home", [("zh.superlative.absolute", "行业第一", 0, 4)]),
        ("品质第一", "home", [("zh.superlative.first", "第一", 2, 4)]),
        ("国货之光NO.1", "cosmetics", [("zh.superlative.no1", "NO.1", 4, 8)]),
        ("国宴专用大米", "food", [("zh.endorsement.state", "国宴专用", 0, 4)]),
        ("国家领导人同款茶叶", "food", [("zh.endorsement.state", "国家领导人同款", 0, 7)]),
        (
            "皮肤科医生推荐的面霜",
            "cosmetics",
            [
                ("zh.endorsement.medical_expert", "皮肤科医生推荐", 0, 7),
            ],
        ),
        ("印有国徽图案", "general", [("zh.state_symbol.flag", "国徽", 2, 4)]),
        (
            "开光貔貅，招财转运",
            "general",
            [
                ("zh.superstition", "开光", 0, 2),
                ("zh.superstition", "招财", 5, 7),
                ("zh.superstition", "转运", 7, 9),
            ],
        ),
        (
            "能治疗湿疹",
            "cosmetics",
            [
                ("zh.medical.term", "治疗", 1, 3),
                ("zh.medical.disease", "湿疹", 3, 5),
            ],
        ),
        ("增强免疫力，孩子少生病", "food", [("zh.medical.health_claim", "增强免疫力", 0, 5)]),
        ("抑菌洗面奶", "cosmetics", [("zh.medical.antibacterial", "抑菌", 0, 2)]),
        (
            "保证有效，无效全额退款",
            "cosmetics",
            [
                ("zh.guarantee.result", "保证有效", 0, 4),
                ("zh.guarantee.result", "无效全额退款", 5, 11),
            ],
        ),
        ("用了7天见效", "cosmetics", [("zh.guarantee.result", "7天见效", 2, 6)]),
        ("全网销量第一的防晒", "cosmetics", [("zh.claim.sales_rank", "全网销量第一", 0, 6)]),
        ("月销10万+，好评如潮", "food", [("zh.claim.sales_volume", "月销10万+", 0, 6)]),
        ("98%的用户说好", "cosmetics", [("zh.claim.rating", "98%的用户", 0, 6)]),
        ("荣获2023年度金奖", "cosmetics", [("zh.claim.award", "荣获2023年度金奖", 0, 10)]),
        ("经临床验证，温和", "cosmetics", [("zh.claim.clinical", "经临床验证", 0, 5)]),
        ("专利技术", "cosmetics", [("zh.claim.patent", "专利", 0, 2)]),
        (
            "仅剩最后3件，手慢无",
            "apparel",
            [
                ("zh.urgency", "仅剩最后3件", 0, 6),
                ("zh.urgency", "手慢无", 7, 10),
            ],
        ),
        ("活动最后一天", "cosmetics", [("zh.urgency", "最后一天", 2, 6)]),
        ("全网最低价", "electronics", [("zh.price.lowest", "全网最低价", 0, 5)]),
        (
            "厂家倒闭，亏本清仓",
            "apparel",
            [
                ("zh.price.false_cut", "厂家倒闭", 0, 4),
                ("zh.price.false_cut", "亏本清仓", 5, 9),
            ],
        ),
        ("The best serum.", "cosmetics", [("en.superlative", "The best", 0, 8)]),
        ("Our best-selling serum", "cosmetics", [("en.claim.sales_rank", "best-selling", 4, 16)]),
        (
            "#1 dermatologist recommended brand",
            "cosmetics",
            [
                ("en.claim.sales_rank", "#1", 0, 2),
                ("en.endorsement.medical_expert", "dermatologist recommended", 3, 28),
            ],
        ),
        (
            "Clinically proven hydration",
            "cosmetics",
            [
                ("en.claim.clinical", "Clinically proven", 0, 17),
            ],
        ),
        ("This cream cures acne.", "cosmetics", [("en.medical.disease", "cures acne", 11, 21)]),
        ("Heals cracked heels.", "cosmetics", [("en.medical.term", "Heals", 0, 5)]),
        (
            "Guaranteed results!",
            "cosmetics",
            [("en.guarantee.result", "Guaranteed results", 0, 18)],
        ),
        ("Try it risk-free.", "cosmetics", [("en.guarantee.soft", "risk-free", 7, 16)]),
        (
            "FDA approved cream",
            "cosmetics",
            [("en.claim.fda_not_approvable", "FDA approved", 0, 12)],
        ),
        ("FDA approved thermometer", "electronics", [("en.claim.fda", "FDA approved", 0, 12)]),
        (
            "A lucky charm that wards off evil",
            "apparel",
            [
                ("en.superstition", "lucky charm", 2, 13),
                ("en.superstition", "wards off evil", 19, 33),
            ],
        ),
        ("Only 3 left in stock!", "apparel", [("en.urgency", "Only 3 left in stock", 0, 20)]),
        ("Lowest price ever!", "electronics", [("en.price.lowest", "Lowest price ever", 0, 17)]),
        ("Boosts immunity daily", "food", [("en.medical.health_claim", "Boosts immunity", 0, 15)]),
    ],
    ids=text_id,
)
def test_each_family_reports_its_exact_span(text, category, expected):
    assert spans(text, category=category) == expected


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("最近天气干燥，记得补水", "cosmetics"),
        ("12月20日是最后一天发货", "general"),
        ("第一次购买送小样", "cosmetics"),
        ("护肤第一步，先洁面", "cosmetics"),
        ("首次下单立减，新品首发", "food"),
        ("本活动最终解释权归商家所有", "general"),
        ("最新款已上架，离你最近的门店可自提", "apparel"),
        ("最高可减200元，最大功率2000W，最快次日达", "electronics"),
        ("最好提前一天预约", "home"),
        ("最佳赏味期6个月", "food"),
        ("第一件原价，第二件半价", "apparel"),
        ("100%纯棉", "apparel"),
        ("招财猫陶瓷摆件", "home"),
        ("万能充电器", "electronics"),
        ("抽奖送大奖", "general"),
        ("国家级非物质文化遗产", "food"),
        ("专利号ZL202010123456.7", "home"),
        ("近视眼镜框", "apparel"),
        ("绝对值编码器", "electronics"),
        ("消炎止痛膏，用于软组织挫伤", "drug"),
        ("医用外科口罩", "medical_device"),
        ("本品有助于增强免疫力，本品不能代替药物", "health_food"),
        ("Best before: see lid.", "food"),
        ("The best way to store it is cold.", "cosmetics"),
        ("Best wishes from the studio!", "general"),
        ("Treat yourself this weekend.", "general"),
        ("The first step is a gentle cleanser.", "cosmetics"),
        ("Size No. 1 fits small wrists.", "apparel"),
        ("Gel top coat: cure time 60 s under an LED lamp.", "cosmetics"),
        ("Salt-cured ham.", "food"),
        ("Self-healing screen protector.", "electronics"),
        ("Comfortable heels, a healthy snack.", "apparel"),
        ("Advent countdown calendar.", "general"),
        ("It was $5 cheaper!", "general"),
        ("Satisfaction guaranteed: free returns.", "general"),
        (
            "This product is not intended to diagnose, treat, cure, or prevent any disease.",
            "health_food",
        ),
    ],
    ids=text_id,
)
def test_tricky_negatives_stay_clean(text, category):
    result = check_text(text, category=category)
    assert result.verdict is Verdict.PASS
    assert result.findings == ()


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("最好的面霜", Verdict.BLOCK),
        ("仅剩3件", Verdict.REVIEW),
        ("仅剩3件，最好的面霜", Verdict.BLOCK),
        ("温和不刺激", Verdict.PASS),
    ],
    ids=text_id,
)
def test_verdict_is_the_worst_severity(text, verdict):
    assert check_text(text, category="cosmetics").verdict is verdict


def test_a_superlative_inside_a_price_claim_is_one_finding():
    result = check_text("全网最低价", category="general")
    assert [(f.family, f.severity) for f in result.findings] == [("price", Severity.BLOCK)]


def test_medical_terms_depend_on_the_category():
    assert spans("消炎止痛", category="drug") == []
    assert spans("消炎止痛", category="medical_device") == []
    assert [f[0] for f in spans("消炎止痛", category="cosmetics")] == [
        "zh.medical.term",
        "zh.medical.term",
    ]
    assert [f[0] for f in spans("消炎止痛", category="food")] == [
        "zh.medical.term",
        "zh.medical.term",
    ]


def test_guarantee_cites_the_article_of_the_category():
    references = {
        category: check_text("保证有效", category=category).findings[0].reference
        for category in ("health_food", "drug", "general")
    }
    assert references == {
        "health_food": "《广告法》第十八条第一款第（一）项",
        "drug": "《广告法》第十六条第一款第（一）项",
        "general": "《广告法》第二十八条第二款第（二）项、第（四）项",
    }


def test_health_food_claims_need_the_mandatory_sentence():
    result = check_text("辅助降血脂，中老年人的好帮手", category="保健食品")
    assert [(f.rule, f.match, f.start, f.end) for f in result.findings] == [
        ("zh.health_food.disclaimer", "辅助降血脂", 0, 5),
    ]
    assert result.verdict is Verdict.BLOCK
    assert check_text("辅助降血脂。本品不能代替药物。", category="health_food").findings == ()
    # The same claim for ordinary food is a health claim, not a missing sentence.
    assert [f[0] for f in spans("辅助降血脂", category="food")] == []
    assert [f[0] for f in spans("增强免疫力", category="food")] == ["zh.medical.health_claim"]


def test_health_food_may_not_claim_prevention():
    families = {
        f.family for f in check_text("增强免疫力，预防感冒", category="health_food").findings
    }
    assert families == {"health_food", "medical"}


def test_language_is_detected_and_english_rules_stay_off_chinese_text():
    assert checker.detect_lang("这款Vitamin C精华") == "zh"
    assert checker.detect_lang("Vitamin C serum 精华") == "en"
    assert checker.detect_lang("The best serum") == "en"
    assert spans("The best serum", lang="zh") == []
    assert spans("The best serum", lang="en-US") == [("en.superlative", "The best", 0, 8)]


def test_spans_are_code_point_offsets_into_the_original_text():
    text = "🎉İstanbul 限定🎉最好的礼物 😀 THE BEST gift"
    result = check_text(text, lang="zh")
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.match
    assert [f.match for f in result.findings] == ["最好"]
    english = check_text("🎉 İ THE BEST gift", lang="en").findings
    assert [(f.match, f.start) for f in english] == [("THE BEST", 4)]


@pytest.mark.parametrize(
    ("category", "resolved_warning"),
    [
        (None, ()),
        ("", ()),
        ("护肤", ()),
        ("美妆/护肤 > 面霜", ()),
        ("Skincare", ()),
        ("保健食品", ()),
        ("玄学用品", ("Unknown category '玄学用品': checked as general.",)),
    ],
    ids=text_id,
)
def test_categories_resolve_from_free_text(category, resolved_warning):
    assert check_text("温和配方", category=category).warnings == resolved_warning


def test_unknown_category_is_checked_as_general():
    result = check_text("增强免疫力", category="玄学用品")
    assert [f.rule for f in result.findings] == ["zh.medical.health_claim"]
    assert result.warnings == ("Unknown category '玄学用品': checked as general.",)


def test_aliases_reach_their_category():
    assert check_text("消炎", category="OTC").findings == ()
    assert check_text("消炎", category="美妆").findings[0].reference == (
        "《广告法》第十七条；《化妆品监督管理条例》第四十三条"
    )


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_refused(text):
    with pytest.raises(TextRefused, match=r"^The text is empty; there is nothing to check\.$"):
        check_text(text)


def test_too_long_text_is_refused_and_the_limit_itself_is_checked():
    with pytest.raises(TextRefused, match=r"^The text has 100,001 characters; .* 100,000\.$"):
        check_text("好" * (checker.MAX_TEXT_CHARS + 1))
    long_text = "好" * (checker.MAX_TEXT_CHARS - 2) + "最好"
    assert spans(long_text) == [("zh.superlative.zuihao", "最好", 99_998, 100_000)]


def test_known_categories_and_evidence_kinds():
    assert checker.known_categories() == (
        "apparel",
        "baby",
        "cosmetics",
        "drug",
        "electronics",
        "food",
        "general",
        "health_food",
        "home",
        "medical_device",
    )
    assert {"sales_rank", "sales_volume", "award", "clinical", "lab_test", "patent"} <= (
        checker.evidence_kinds()
    )


def test_checks_from_many_threads_agree():
    texts = ["史上最强，销量第一，仅剩3件", "最近很火，第一次购买", "The best serum, cures acne"]
    expected = [check_text(text).as_json() for text in texts]
    barrier = threading.Barrier(8)

    def run(index: int) -> dict:
        barrier.wait()
        return check_text(texts[index % 3]).as_json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    assert results == [expected[index % 3] for index in range(8)]


@pytest.mark.parametrize(
    ("text", "category", "rewritten"),
    [
        ("这款精华是我用过最好用的", "cosmetics", "这款精华是我用过很好用的"),
        ("史上最强控油散粉", "cosmetics", "很强控油散粉"),
        ("这款面霜能治疗湿疹", "cosmetics", "这款面霜能护理肌肤不适"),
        ("仅剩最后3件，手慢无！新款上市", "apparel", "新款上市"),
        ("原价399元，今天只要199！", "cosmetics", "今天只要199！"),
        (
            "辅助降血脂，中老年人的好帮手",
            "health_food",
            "辅助降血脂（本品不能代替药物），中老年人的好帮手",
        ),
        ("增强免疫力，预防感冒", "health_food", "增强免疫力（本品不能代替药物）"),
        ("The best serum, clinically proven.", "cosmetics", "A great serum."),
        (
            "Supports immune health.",
            "health_food",
            "Supports immune health (this product is not a substitute for medicine).",
        ),
        ("Hurry, selling out fast!", "home", ""),
    ],
    ids=text_id,
)
def test_rewrite_applies_every_suggestion(text, category, rewritten):
    result = check_text(text, category=category)
    assert rewrite(text, result) == rewritten
    if rewritten:
        assert check_text(rewritten, category=category).verdict is Verdict.PASS


def test_rewrite_of_a_clean_text_is_the_text():
    text = "温和配方，敏感肌可用"
    assert rewrite(text, check_text(text)) == text


def test_rewrite_refuses_a_result_of_another_text():
    result = check_text("最好的面霜")
    with pytest.raises(ValueError, match="does not belong to this text"):
        rewrite("很好的面霜", result)


def test_a_claim_is_read_within_one_line_never_across_a_line_break():
    # The end of one line ("…第一天") and the next line's own claim: the claim is reported
    # where it stands, not stitched to the line before (the pipeline joins copy fields so).
    text = "坚持用到第一天\n精华三天祛痘"

    result = check_text(text, category="cosmetics")

    guarantees = [f for f in result.findings if f.family == "guarantee"]
    assert [(f.match, f.start, f.end) for f in guarantees] == [("三天祛痘", 10, 14)]
    assert check_text("精华三天祛痘", category="cosmetics").verdict is Verdict.BLOCK
