import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from generation.analysis import analyse_script, warm_up
from generation.analysis.types import ScriptAnalysis
from generation.backends.registry import text_backend
from generation.backends.text.base import (
    BrandVoice,
    Copy,
    CopyRequest,
    ProductBrief,
    TextBackendError,
)
from generation.backends.text.builtin import BuiltinTextBackend

SCRIPTS = Path(__file__).parent / "fixtures" / "scripts"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")

SERUM_ZH = ProductBrief(
    title="澜肌玻尿酸水光精华液 30ml",
    category="精华液",
    attributes=(("容量", "30ml"), ("核心成分", "玻尿酸、烟酰胺")),
)
SERUM_EN = ProductBrief(
    title="Hydra Glow Serum 30ml", category="Serum", attributes=(("Size", "30ml"),)
)
EARBUDS = ProductBrief(title="声屿S3主动降噪蓝牙耳机", category="蓝牙耳机", price=Decimal(299))
ZH_VOICE = BrandVoice(brand_name="澜肌", tone="温柔、专业、不夸张", language="zh")
EN_VOICE = BrandVoice(brand_name="Lumen & Co", tone="warm, friendly", language="en")


@pytest.fixture(scope="module")
def skincare() -> ScriptAnalysis:
    warm_up()
    return analyse_script((SCRIPTS / "skincare_zh.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def serum() -> ScriptAnalysis:
    warm_up()
    return analyse_script((SCRIPTS / "serum_en.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def empty() -> ScriptAnalysis:
    return analyse_script("")


def write(request: CopyRequest, variants: int) -> list[Copy]:
    return BuiltinTextBackend().write(request, variants=variants)


def fields(copy: Copy) -> list[str]:
    return [
        copy.headline,
        copy.subheadline,
        *copy.bullets,
        copy.cta,
        copy.host_line,
        copy.social_post,
    ]


def requests(skincare: ScriptAnalysis, serum: ScriptAnalysis, empty: ScriptAnalysis) -> dict:
    return {
        "skincare zh": CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=1),
        "serum en": CopyRequest(serum, EN_VOICE, (SERUM_EN,), seed=1),
        "zh script, en voice": CopyRequest(skincare, EN_VOICE, (SERUM_EN,), seed=1),
        "two products": CopyRequest(skincare, ZH_VOICE, (SERUM_ZH, EARBUDS), seed=1),
        "product only zh": CopyRequest(empty, ZH_VOICE, (EARBUDS,), seed=1),
        "product only en": CopyRequest(empty, EN_VOICE, (SERUM_EN,), seed=1),
        "nothing at all": CopyRequest(empty, ZH_VOICE, (), seed=1),
    }


CASES = [
    "skincare zh",
    "serum en",
    "zh script, en voice",
    "two products",
    "product only zh",
    "product only en",
    "nothing at all",
]


def test_backend_is_registered_as_builtin() -> None:
    backend = text_backend("builtin")

    assert isinstance(backend, BuiltinTextBackend)
    assert (backend.name, backend.version) == ("builtin", "1.0.0")


def test_same_seed_gives_the_same_copies(skincare: ScriptAnalysis) -> None:
    request = CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=42)

    assert write(request, 12) == write(request, 12)


def test_different_seeds_give_different_copies(skincare: ScriptAnalysis) -> None:
    first = write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=1), 12)
    second = write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=2), 12)

    assert [c.headline for c in first] != [c.headline for c in second]
    assert first != second


def test_copies_do_not_depend_on_the_process(tmp_path: Path) -> None:
    program = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from generation.analysis import analyse_script\n"
        "from generation.backends.text.base import BrandVoice, CopyRequest, ProductBrief\n"
        "from generation.backends.text.builtin import BuiltinTextBackend\n"
        f"analysis = analyse_script(Path({str(SCRIPTS / 'skincare_zh.txt')!r}).read_text())\n"
        "product = ProductBrief('水光精华液')\n"
        "request = CopyRequest(analysis, BrandVoice('澜肌'), (product,), seed=5)\n"
        "copies = BuiltinTextBackend().write(request, variants=20)\n"
        "print(json.dumps([c.as_json() for c in copies], ensure_ascii=False))\n"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(PROJECT_ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=True,
        )
        outputs.append(json.loads(result.stdout))

    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 20


@pytest.mark.parametrize("case", CASES)
def test_two_hundred_variants_have_distinct_headlines(
    case: str, skincare: ScriptAnalysis, serum: ScriptAnalysis, empty: ScriptAnalysis
) -> None:
    copies = write(requests(skincare, serum, empty)[case], 200)

    assert len(copies) == 200
    assert len({copy.headline for copy in copies}) == 200


@pytest.mark.parametrize("case", CASES)
def test_every_variant_respects_the_length_limits(
    case: str, skincare: ScriptAnalysis, serum: ScriptAnalysis, empty: ScriptAnalysis
) -> None:
    request = requests(skincare, serum, empty)[case]
    headline_max, bullet_max = (16, 14) if request.voice.language == "zh" else (40, 32)

    for copy in write(request, 200):
        assert 0 < len(copy.headline) <= headline_max, copy.headline
        assert 3 <= len(copy.bullets) <= 5, copy.bullets
        assert all(0 < len(bullet) <= bullet_max for bullet in copy.bullets), copy.bullets
        assert len(set(copy.bullets)) == len(copy.bullets)
        assert all(field.strip() for field in fields(copy))
        assert "{" not in "".join(fields(copy))


def test_the_skincare_script_reads_like_copy(skincare: ScriptAnalysis) -> None:
    copies = write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=1), 6)

    for copy in copies:
        assert "到手价199元" in copy.cta
        assert "原价399元" in copy.host_line and "到手价199元" in copy.host_line
        assert copy.social_post.splitlines()[-1].startswith("#")
        assert "#澜肌" in copy.social_post
        assert not any(filler in copy.host_line for filler in ("《", "》", "宝宝们，宝宝"))
    assert any("玻尿酸" in copy.host_line + copy.social_post for copy in copies)


@pytest.mark.parametrize(
    ("voice", "product", "banned"),
    [
        (ZH_VOICE, SERUM_ZH, ("玻尿酸", "补水", "冲", "到手价", "！", "宝宝", "最", "第一")),
        (EN_VOICE, SERUM_EN, ("hyaluronic", "FREE", "only", "serum", "!", "best")),
        (ZH_VOICE, EARBUDS, ("耳机", "降噪", "元", "，")),
    ],
    ids=["zh", "en", "zh punctuation"],
)
def test_banned_words_are_absent_from_every_field(
    voice: BrandVoice,
    product: ProductBrief,
    banned: tuple[str, ...],
    skincare: ScriptAnalysis,
    serum: ScriptAnalysis,
) -> None:
    analysis = serum if voice.language == "en" else skincare
    voice = BrandVoice(voice.brand_name, tone="", banned_words=banned, language=voice.language)

    copies = write(CopyRequest(analysis, voice, (product,), seed=3), 200)

    assert len({copy.headline for copy in copies}) == 200
    for copy in copies:
        for field in fields(copy):
            for word in banned:
                assert word.lower() not in field.lower(), (word, field)
        assert 3 <= len(copy.bullets) <= 5


def test_english_voice_writes_english_copy(serum: ScriptAnalysis) -> None:
    copies = write(CopyRequest(serum, EN_VOICE, (SERUM_EN,), seed=4), 30)

    for copy in copies:
        assert not any(CJK.search(field) for field in fields(copy)), copy
        assert copy.headline[0].isupper()
        assert "$19.99" in copy.cta
    assert any("hyaluronic acid" in " ".join(fields(copy)).lower() for copy in copies)
    assert all("#HyaluronicAcid" in copy.social_post for copy in copies)


def test_a_chinese_script_with_an_english_voice_gives_english_copy(
    skincare: ScriptAnalysis,
) -> None:
    copies = write(CopyRequest(skincare, EN_VOICE, (SERUM_EN,), seed=4), 30)

    for copy in copies:
        assert not any(CJK.search(field) for field in fields(copy)), copy
        assert "¥199" in copy.cta


def test_chinese_voice_writes_chinese_copy(serum: ScriptAnalysis) -> None:
    copies = write(CopyRequest(serum, ZH_VOICE, (SERUM_ZH,), seed=4), 30)

    for copy in copies:
        assert CJK.search(copy.headline)
        assert CJK.search(copy.host_line)
        # The English script's sentences stay out of Chinese copy; its deal stays in.
        assert "hyaluronic" not in copy.social_post.lower()
        assert "$19.99" in copy.cta


def test_product_only_request_uses_the_product(empty: ScriptAnalysis) -> None:
    product = ProductBrief(
        title="澜肌水光精华液",
        category="精华液",
        description="添加玻尿酸和烟酰胺，补水保湿，温和不刺激。质地清爽，吸收快。",
        attributes=(("容量", "30ml"),),
        price=Decimal("259.00"),
    )

    copies = write(CopyRequest(empty, ZH_VOICE, (product,), seed=9), 20)

    for copy in copies:
        assert copy.cta.startswith("售价259元")
        assert "259元" in copy.host_line
        assert "水光精华液" in copy.host_line
    bullets = {bullet for copy in copies for bullet in copy.bullets}
    assert {"温和不刺激", "容量：30ml", "质地清爽，吸收快"} <= bullets
    assert any("补水保湿" in bullet for bullet in bullets)


def test_a_request_with_nothing_still_writes_copy(empty: ScriptAnalysis) -> None:
    copies = write(CopyRequest(empty, BrandVoice(brand_name=""), (), seed=0), 30)

    assert len({copy.headline for copy in copies}) == 30
    for copy in copies:
        assert 3 <= len(copy.bullets) <= 5
        assert len(copy.headline) <= 16


def test_no_price_is_quoted_when_none_is_known() -> None:
    analysis = analyse_script("这款精华液补水保湿，温和不刺激，敏感肌也能用，质地清爽，吸收很快。")

    copies = write(CopyRequest(analysis, ZH_VOICE, (SERUM_ZH,), seed=2), 50)

    for copy in copies:
        text = "".join(fields(copy))
        assert not re.search(r"\d+(?:\.\d+)?\s*元|[¥$￥]|价", text), copy


def test_every_number_in_the_copy_comes_from_the_script_or_product(
    skincare: ScriptAnalysis,
) -> None:
    source = json.dumps(skincare.as_json(), ensure_ascii=False) + SERUM_ZH.title + "30ml"
    allowed = set(re.findall(r"\d+(?:\.\d+)?", source))

    for copy in write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=6), 200):
        numbers = set(re.findall(r"\d+(?:\.\d+)?", "".join(fields(copy))))
        assert numbers <= allowed, (numbers - allowed, copy)


def test_a_discount_stands_in_when_there_is_no_price() -> None:
    analysis = analyse_script("这款精华液补水保湿，温和不刺激。今天直播间全场8折！")

    copy = write(CopyRequest(analysis, ZH_VOICE, (SERUM_ZH,), seed=0), 1)[0]

    assert copy.cta.startswith("享8折")


def test_variants_alternate_between_products(skincare: ScriptAnalysis) -> None:
    copies = write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH, EARBUDS), seed=8), 10)

    for index, copy in enumerate(copies):
        name = "玻尿酸水光精华液" if index % 2 == 0 else "S3主动降噪蓝牙耳机"
        assert name in copy.host_line, copy.host_line
        text = "".join(fields(copy))
        # The script's 199元 belongs to one product we can't tell; only catalog prices are used.
        assert "199" not in text
        assert ("299元" in text) == (index % 2 == 1)
        assert "前100名" not in text
        # Each product keeps to its own facts: no hyaluronic acid in the earbuds' copy.
        assert ("玻尿酸" in text) == (index % 2 == 0)


def test_a_restrained_brand_never_gets_hype(skincare: ScriptAnalysis) -> None:
    copies = write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=5), 60)

    for copy in copies:
        assert not any(word in "".join(fields(copy)) for word in ("冲", "抢", "手慢无", "闭眼入"))


def test_an_energetic_script_without_brand_tone_gets_energetic_copy(
    skincare: ScriptAnalysis,
) -> None:
    voice = BrandVoice(brand_name="澜肌", language="zh")

    copy = write(CopyRequest(skincare, voice, (SERUM_ZH,), seed=0), 1)[0]

    assert copy.host_line.startswith(
        ("家人们看过来！", "所有人注意啦！", "来来来，直播间的朋友们！")
    )
    assert "#直播好物" in copy.social_post


def test_exhausted_templates_fall_back_to_a_numbered_series(empty: ScriptAnalysis) -> None:
    product = ProductBrief(title="精华液")

    copies = write(CopyRequest(empty, BrandVoice("澜肌"), (product,), seed=0), 200)

    numbered = [copy.headline for copy in copies if "No." in copy.headline]
    assert len({copy.headline for copy in copies}) == 200
    assert 0 < len(numbered) < 200
    assert all(re.fullmatch(r".+之选 No\.\d+", headline) for headline in numbered)


def test_copies_survive_a_json_round_trip(skincare: ScriptAnalysis) -> None:
    for copy in write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,), seed=1), 5):
        assert Copy.from_json(json.loads(json.dumps(copy.as_json()))) == copy


def test_zero_variants_is_an_empty_list(skincare: ScriptAnalysis) -> None:
    assert write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,)), 0) == []


def test_negative_variants_are_refused(skincare: ScriptAnalysis) -> None:
    with pytest.raises(TextBackendError) as raised:
        write(CopyRequest(skincare, ZH_VOICE, (SERUM_ZH,)), -1)

    assert raised.value.retryable is False
