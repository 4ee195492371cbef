import pytest

from generation.backends.text.base import Copy
from library.copy_hashes import (
    COPY_FIELDS,
    DUPLICATE_DISTANCE,
    copy_text,
    hamming,
    normalise,
    simhash,
)

HEADLINE_ZH = "清爽防晒不油腻，夏日出门轻松一抹就够，SPF50+全天守护"
COPY = Copy(
    headline="清爽防晒不油腻",
    subheadline="SPF50+ PA++++ 轻薄水感",
    bullets=("一抹成膜不搓泥", "防水防汗持久", "敏感肌可用", "30ml随身装"),
    cta="立即抢购",
    host_line="家人们，夏天出门就靠它，轻轻一抹一整天都不怕晒！",
    social_post="夏天通勤防晒终于找到本命了☀️ 清爽不油，上妆也不搓泥 #防晒 #夏日护肤",
)


def test_the_hash_is_64_bits_in_pgvector_text_form_and_stable():
    bits = simhash(HEADLINE_ZH)
    assert len(bits) == 64 and set(bits) <= {"0", "1"}
    # blake2b, not hash(): the same text gives the same bits in every process and release.
    assert bits == simhash(HEADLINE_ZH)
    assert simhash("ab") == "0000111001010010101101011111000110000111110111100001000010001000"


def test_punctuation_whitespace_emoji_and_width_do_not_change_the_hash():
    assert normalise("ＳＰＦ５０＋ 全天守护！🔥") == "spf50全天守护"
    assert simhash(HEADLINE_ZH) == simhash(HEADLINE_ZH.replace("，", "！") + " 🔥✨")
    assert simhash("Lightweight SPF 50, never greasy") == simhash(
        "lightweight spf50 — NEVER greasy!"
    )


def test_a_one_character_edit_of_chinese_copy_is_near():
    edited = HEADLINE_ZH.replace("轻松", "轻便")
    assert 0 < hamming(simhash(HEADLINE_ZH), simhash(edited)) <= DUPLICATE_DISTANCE


def test_reordered_selling_points_are_near():
    reordered = {**COPY.as_json(), "bullets": list(reversed(COPY.bullets))}
    assert hamming(simhash(copy_text(COPY.as_json())), simhash(copy_text(reordered))) <= (
        DUPLICATE_DISTANCE
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (HEADLINE_ZH, "海边暴晒也不怕，轻薄水感防晒霜，防水防汗持久有效"),
        (HEADLINE_ZH, "学生党通勤必备，温和不刺激，敏感肌也能放心用的防晒"),
        (
            "清爽防晒霜限时第二件半价，今晚直播间下单立享",
            "清爽防晒霜限时买一送一，今晚直播间下单立享",
        ),
        ("Lightweight SPF 50 that never feels greasy", "Gentle daily sunscreen for sensitive skin"),
    ],
)
def test_different_headlines_of_the_same_product_are_not_near(a, b):
    assert hamming(simhash(a), simhash(b)) > DUPLICATE_DISTANCE


def test_short_and_empty_text_still_hash():
    assert simhash("") == "0" * 64
    assert simhash("！？") == "0" * 64
    assert simhash("好") != "0" * 64
    assert simhash("好") != simhash("佳")


def test_hamming_counts_differing_bits_and_refuses_other_lengths():
    assert hamming("0" * 64, "0" * 64) == 0
    assert hamming("0" * 64, "1" * 64) == 64
    assert hamming("10" * 32, "01" * 32) == 64
    with pytest.raises(ValueError, match="64 and 63"):
        hamming("0" * 64, "0" * 63)


def test_copy_text_reads_the_fields_a_reader_sees_in_order():
    data = COPY.as_json()
    assert set(data) == set(COPY_FIELDS)  # a new Copy field must be placed in COPY_FIELDS
    text = copy_text(data)
    assert text.splitlines() == [
        COPY.headline,
        COPY.subheadline,
        *COPY.bullets,
        COPY.cta,
        COPY.host_line,
        COPY.social_post,
    ]
    # The order of a dict's keys does not matter; missing fields are skipped.
    assert copy_text(dict(reversed(list(data.items())))) == text
    assert copy_text({"headline": "清爽防晒", "bullets": []}) == "清爽防晒"
