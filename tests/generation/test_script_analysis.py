import statistics
import time
from decimal import Decimal
from pathlib import Path

import pytest

from generation.analysis import analyse_script, warm_up
from generation.analysis.prices import parse_chinese_number
from generation.analysis.segment import cut_zh
from generation.analysis.types import PriceKind, PriceMention, ScriptAnalysis, Tone

SCRIPTS = Path(__file__).parent / "fixtures" / "scripts"
SKINCARE_ZH = (SCRIPTS / "skincare_zh.txt").read_text(encoding="utf-8")
EARBUDS_ZH = (SCRIPTS / "earbuds_zh.txt").read_text(encoding="utf-8")
SERUM_EN = (SCRIPTS / "serum_en.txt").read_text(encoding="utf-8")

FILLER_ZH = (
    "宝宝",
    "大家",
    "我们",
    "家人们",
    "姐妹们",
    "今天",
    "这个",
    "真的",
    "一下",
    "链接",
    "直播间",
)
FILLER_EN = ("guys", "everyone", "link", "live", "chat", "tonight", "okay", "deal")


@pytest.fixture(scope="module", autouse=True)
def warmed_up() -> None:
    warm_up()


@pytest.mark.parametrize(
    "term", ["玻尿酸", "烟酰胺", "精华液", "面膜", "防晒霜", "氨基酸", "蓝牙耳机", "降噪", "到手价"]
)
def test_commerce_terms_are_segmented_whole(term: str) -> None:
    words = cut_zh(f"这款{term}真的很好用")

    assert term in words


def test_hyaluronic_acid_is_one_keyword_of_the_skincare_script() -> None:
    analysis = analyse_script(SKINCARE_ZH)

    assert analysis.language == "zh"
    assert analysis.keywords[:3] == ("精华液", "玻尿酸", "保湿")
    assert {"烟酰胺", "敏感肌", "补水"} <= set(analysis.keywords)
    assert "尿酸" not in analysis.keywords
    assert "玻" not in analysis.keywords
    assert len(analysis.keywords) == 12


@pytest.mark.parametrize("script", [SKINCARE_ZH, EARBUDS_ZH], ids=["skincare", "earbuds"])
def test_host_filler_is_never_a_keyword(script: str) -> None:
    keywords = analyse_script(script).keywords

    assert not set(keywords) & set(FILLER_ZH)
    assert all(not keyword.endswith("们") for keyword in keywords)


def test_filler_heavy_script_still_has_no_filler_keywords() -> None:
    script = "宝宝们大家好，我们今天这个真的一下，家人们姐妹们，链接直播间！" * 20 + "玻尿酸补水。"

    keywords = analyse_script(script).keywords

    assert keywords[0] == "玻尿酸"
    assert not set(keywords) & set(FILLER_ZH)


def test_product_attributes_lift_matching_keywords() -> None:
    plain = analyse_script(EARBUDS_ZH).keywords
    lifted = analyse_script(EARBUDS_ZH, product_attributes=("续航",)).keywords

    assert plain.index("续航") == 9
    assert lifted.index("续航") == 2


def test_skincare_selling_points_are_short_clean_and_best_first() -> None:
    points = analyse_script(SKINCARE_ZH).selling_points

    assert points[0] == "5重玻尿酸加2%烟酰胺，补水保湿，提亮肤色"
    assert "积雪草和神经酰胺，修护皮肤屏障" in points  # 我们的 dropped from the middle
    assert "弱酸性，温和不刺激，已经通过了敏感肌人群的测试" in points
    assert len(points) == 8
    assert len(set(points)) == 8
    for point in points:
        assert len(point) <= 24
        assert not point.startswith(("家人们", "宝宝", "姐妹", "大家", "这个", "我们"))
        assert not any(mark in point for mark in "《》【】？?")
        assert "元" not in point and "价" not in point and "链接" not in point


def test_selling_points_drop_the_hosts_opening_words() -> None:
    script = "家人们，这款精华液温和不刺激，敏感肌也能用！宝宝们，真的24小时持续保湿哦"

    points = analyse_script(script).selling_points

    assert points == ("精华液温和不刺激，敏感肌也能用", "24小时持续保湿")


def test_skincare_prices_of_each_kind() -> None:
    prices = analyse_script(SKINCARE_ZH).prices

    assert prices == (
        PriceMention(PriceKind.REFERENCE, "原价是399元", amount=Decimal(399)),
        PriceMention(PriceKind.REFERENCE, "日常价也要299元", amount=Decimal(299)),
        PriceMention(PriceKind.PRICE, "到手价只要199元", amount=Decimal(199)),
        PriceMention(PriceKind.DISCOUNT, "立减20元", amount=Decimal(20)),
        PriceMention(PriceKind.PRICE, "券后价179元", amount=Decimal(179)),
        PriceMention(PriceKind.DISCOUNT, "打了3折", percent=Decimal(70)),
    )


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("全场8折", PriceMention(PriceKind.DISCOUNT, "8折", percent=Decimal(20))),
        ("直接五折", PriceMention(PriceKind.DISCOUNT, "五折", percent=Decimal(50))),
        ("再打八五折", PriceMention(PriceKind.DISCOUNT, "打八五折", percent=Decimal(15))),
        ("会员8.5折", PriceMention(PriceKind.DISCOUNT, "8.5折", percent=Decimal(15))),
        ("立减50元", PriceMention(PriceKind.DISCOUNT, "立减50元", amount=Decimal(50))),
        ("直降100", PriceMention(PriceKind.DISCOUNT, "直降100", amount=Decimal(100))),
        ("满300减50", PriceMention(PriceKind.DISCOUNT, "满300减50", amount=Decimal(50))),
        ("只要半价", PriceMention(PriceKind.DISCOUNT, "半价", percent=Decimal(50))),
        ("秒杀价¥99", PriceMention(PriceKind.PRICE, "秒杀价¥99", amount=Decimal(99))),
        ("直播价 １９９元", PriceMention(PriceKind.PRICE, "直播价 199元", amount=Decimal(199))),
        (
            "到手价一百九十九元",
            PriceMention(PriceKind.PRICE, "到手价一百九十九元", amount=Decimal(199)),
        ),
        (
            "原价三百九十九",
            PriceMention(PriceKind.REFERENCE, "原价三百九十九", amount=Decimal(399)),
        ),
        ("专柜价1,299元", PriceMention(PriceKind.REFERENCE, "专柜价1,299元", amount=Decimal(1299))),
        ("今天只要19块9", PriceMention(PriceKind.PRICE, "只要19块9", amount=Decimal("19.9"))),
        (
            "It's only $19.99!",
            PriceMention(PriceKind.PRICE, "only $19.99", amount=Decimal("19.99"), currency="USD"),
        ),
        (
            "It was $39.",
            PriceMention(PriceKind.REFERENCE, "was $39", amount=Decimal(39), currency="USD"),
        ),
        (
            "Now £25.",
            PriceMention(PriceKind.PRICE, "Now £25", amount=Decimal(25), currency="GBP"),
        ),
        ("Take 30% off", PriceMention(PriceKind.DISCOUNT, "30% off", percent=Decimal(30))),
        (
            "an extra $10 off",
            PriceMention(PriceKind.DISCOUNT, "$10 off", amount=Decimal(10), currency="USD"),
        ),
    ],
)
def test_price_mentions(script: str, expected: PriceMention) -> None:
    assert analyse_script(script).prices == (expected,)


@pytest.mark.parametrize(
    "script",
    [
        "一瓶还不到100块钱",
        "送价值89元的面膜",
        "才一瓶",
        "第二件半价",
        "库存只有2000单",
        "30ml大容量",
    ],
)
def test_amounts_that_are_not_prices(script: str) -> None:
    assert analyse_script(script).prices == ()


def test_a_percentage_takes_the_scripts_currency() -> None:
    prices = analyse_script("Was $39, now $19.99: that's almost 50% off!").prices

    assert [(p.kind, p.amount, p.percent, p.currency) for p in prices] == [
        (PriceKind.REFERENCE, Decimal(39), None, "USD"),
        (PriceKind.PRICE, Decimal("19.99"), None, "USD"),
        (PriceKind.DISCOUNT, None, Decimal(50), "USD"),
    ]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一百九十九", "199"), ("两千五", "2500"), ("一百二", "120"), ("十五", "15"),
     ("一百零五", "105"), ("一万二千", "12000"), ("三点五", "3.5"), ("玻尿酸", None)],
)  # fmt: skip
def test_chinese_numerals(numeral: str, value: str | None) -> None:
    assert parse_chinese_number(numeral) == (None if value is None else Decimal(value))


def test_offers_in_the_chinese_scripts() -> None:
    assert analyse_script(SKINCARE_ZH).offers == (
        "买一送一",
        "前100名送价值89元的补水面膜5片",
        "全国包邮",
        "送运费险",
        "七天无理由退换",
    )
    assert analyse_script(EARBUDS_ZH).offers == (
        "第二件半价",
        "顺丰包邮",
        "一年质保",
        "只换不修",
        "前200名送耳机保护套一个",
    )


def test_earbuds_prices_read_five_zhe_as_half_off() -> None:
    prices = analyse_script(EARBUDS_ZH).prices

    assert [(p.kind, p.amount, p.percent) for p in prices] == [
        (PriceKind.REFERENCE, Decimal(399), None),
        (PriceKind.REFERENCE, Decimal(299), None),
        (PriceKind.DISCOUNT, None, Decimal(50)),
        (PriceKind.PRICE, Decimal(149), None),
    ]


def test_english_script() -> None:
    analysis = analyse_script(SERUM_EN)

    assert analysis.language == "en"
    assert analysis.keywords[:3] == ("hyaluronic acid", "serum", "Hydra Glow")
    assert "niacinamide" in analysis.keywords
    assert not {keyword.lower() for keyword in analysis.keywords} & set(FILLER_EN)
    assert analysis.selling_points[0] == (
        "Five types of hyaluronic acid plus 2% niacinamide, hydrating, gentle on sensitive skin"
    )
    assert "Fragrance-free, alcohol-free and dermatologist tested" in analysis.selling_points
    assert all(
        not point.lower().startswith(("okay", "so ", "guys")) for point in analysis.selling_points
    )
    assert analysis.tone is Tone.ENERGETIC
    assert [(p.kind, p.text, p.amount, p.percent, p.currency) for p in analysis.prices] == [
        (PriceKind.REFERENCE, "usually $39", Decimal(39), None, "USD"),
        (PriceKind.PRICE, "only $19.99", Decimal("19.99"), None, "USD"),
        (PriceKind.DISCOUNT, "50% off", None, Decimal(50), "USD"),
        (PriceKind.DISCOUNT, "$10 off", Decimal(10), None, "USD"),
    ]
    assert analysis.offers == (
        "buy one get one free",
        "first 100 orders get a free hydrating sheet mask set",
        "Free shipping",
        "30-day free returns",
    )
    assert analysis.notes == ()


def test_bogo_and_free_delivery() -> None:
    assert analyse_script("BOGO this weekend, plus free delivery.").offers == (
        "BOGO",
        "free delivery",
    )


@pytest.mark.parametrize(
    ("script", "tone"),
    [
        (SKINCARE_ZH, Tone.ENERGETIC),
        (EARBUDS_ZH, Tone.ENERGETIC),
        ("冲冲冲！秒杀开始！手慢无！三二一上链接！抢到就是赚到！", Tone.ENERGETIC),
        (
            "宝宝们，这款面霜特别温柔，呵护你的小脸，用起来很舒服，安心又贴心，送给妈妈也是一份心意。",
            Tone.WARM,
        ),
        ("这款羊绒大衣选用珍稀原料，匠心工艺，质感高级，优雅有格调，尊享臻选。", Tone.PREMIUM),
        (
            "这款精华的核心成分是10%烟酰胺，经过临床测试，实验数据显示28天肤色提亮，配方专利。",
            Tone.PROFESSIONAL,
        ),
        ("哈哈哈谁懂啊！这个小零食也太可爱了吧～绝绝子，yyds，种草种草😋🥰", Tone.PLAYFUL),
        ("This cashmere coat is exquisite, crafted by artisan tailors, timeless.", Tone.PREMIUM),
        (
            "Our formula is clinically tested: a lab study measured the concentration.",
            Tone.PROFESSIONAL,
        ),
        ("A cozy, caring gift for mom: treat yourself to some self-care.", Tone.WARM),
        ("OMG this is so cute lol, obsessed, the vibes, slay bestie", Tone.PLAYFUL),
        ("这是一款面霜。", Tone.WARM),
    ],
)
def test_tone(script: str, tone: Tone) -> None:
    assert analyse_script(script).tone is tone


@pytest.mark.parametrize(
    ("script", "notes"),
    [
        ("", ("Script is empty: copy will be written from the product details.",)),
        (" \n\t\u3000 ", ("Script is empty: copy will be written from the product details.",)),
        (
            "😀🔥✨💯",
            ("Script has no words to analyse: copy will lean on the product details.",),
        ),
        (
            "\u200b\ufeff！！",
            ("Script has no words to analyse: copy will lean on the product details.",),
        ),
    ],
)
def test_nothing_to_analyse(script: str, notes: tuple[str, ...]) -> None:
    analysis = analyse_script(script)

    assert analysis.keywords == ()
    assert analysis.selling_points == ()
    assert analysis.prices == ()
    assert analysis.offers == ()
    assert analysis.notes == notes
    assert analysis.language == "zh"


def test_short_script_without_price_gets_hints() -> None:
    analysis = analyse_script("玻尿酸精华液 🔥")

    assert analysis.keywords == ("玻尿酸", "精华液")
    assert analysis.character_count == 8
    assert analysis.tone is Tone.PLAYFUL
    assert analysis.notes == (
        "Script is very short: a few sentences about the product give better copy.",
        "No price mentioned: copy will not quote one unless the product has a price.",
    )


def test_script_without_benefits_is_noted() -> None:
    notes = analyse_script("来来来，上链接，三号链接，拍拍拍！").notes

    assert "No clear selling points found: copy will lean on the product details." in notes


def test_only_an_original_price_is_noted() -> None:
    notes = analyse_script(
        "这款精华液温和不刺激，敏感肌也能用，原价399元，今天有惊喜价格哦。"
    ).notes

    assert notes == ("Only an original price is mentioned, not what the buyer pays now.",)


def test_very_long_and_mixed_text_does_not_crash() -> None:
    long_script = (SKINCARE_ZH + SERUM_EN) * 30 + "😀" * 5000

    analysis = analyse_script(long_script)

    assert analysis.language == "zh"
    assert analysis.character_count == len(long_script.strip())
    assert analysis.notes[0] == (
        "Script is very long: only the first 50,000 characters were analysed."
    )
    assert "玻尿酸" in analysis.keywords
    assert len(analysis.keywords) <= 12 and len(analysis.selling_points) <= 8


def test_mixed_script_is_noted() -> None:
    analysis = analyse_script(SKINCARE_ZH[:300] + "\n" + SERUM_EN[:600])

    assert "Script mixes Chinese and English; analysed as Chinese." in analysis.notes


def test_analysis_survives_a_json_round_trip() -> None:
    analysis = analyse_script(SKINCARE_ZH)

    assert ScriptAnalysis.from_json(analysis.as_json()) == analysis


def test_analysis_is_deterministic() -> None:
    assert analyse_script(SKINCARE_ZH) == analyse_script(SKINCARE_ZH)


def test_two_thousand_characters_take_under_200_ms_after_warm_up() -> None:
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        analyse_script(SKINCARE_ZH)
        timings.append(time.perf_counter() - started)

    assert len(SKINCARE_ZH) >= 2000
    assert statistics.median(timings) < 0.2
