import pytest

from library.search_text import search_document, search_query_terms, tags_from_filename


def test_the_document_segments_chinese_for_search_and_keeps_latin_words():
    document = search_document("夏季防晒霜主图", "SPF50+ 清爽不油腻！", "Lightweight sunscreen")
    # cut_for_search: the long word and the words inside it, so 防晒 finds 防晒霜.
    assert document.split()[:4] == ["夏季", "防晒", "防晒霜", "主图"]
    assert {"spf50", "清爽", "lightweight", "sunscreen"} <= set(document.split())


def test_the_document_is_lower_case_without_punctuation_or_repeats():
    document = search_document("ＳＰＦ５０ Sunscreen!", "sunscreen, SUNSCREEN；防晒。防晒")
    assert document == "spf50 sunscreen 防晒"
    assert search_document("", "！？…", "🔥") == ""


def test_commerce_terms_stay_whole():
    # generation.analysis's tokenizer knows 玻尿酸 and 精华液; jieba's own splits them.
    assert {"玻尿酸", "精华液"} <= set(search_document("玻尿酸精华液").split())


def test_query_terms_use_one_segmentation_and_each_is_in_the_document():
    assert search_query_terms("夏季 防晒霜") == ["夏季", "防晒霜"]
    document = set(search_document("夏季防晒霜主图").split())
    for query in ("夏季防晒霜", "防晒霜主图", "防晒"):
        assert set(search_query_terms(query)) <= document, query


def test_function_words_are_dropped_on_both_sides():
    assert search_query_terms("serum for dry skin") == ["serum", "dry", "skin"]
    assert search_query_terms("白色的包") == ["白色", "包"]
    assert "for" not in search_document("serum for dry skin").split()
    assert search_query_terms("的 the ！") == []


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("夏季_防晒霜-主图_v2.jpg", ["夏季", "防晒霜", "主图"]),
        ("photos/2024/玻尿酸精华液白底图.png", ["玻尿酸", "精华液", "白底"]),
        ("C:\\Users\\li\\新品上市.JPG", ["新品", "上市"]),
        ("summerSale_heroBanner.png", ["summer", "sale", "hero", "banner"]),
        ("iPhone15手机壳+详情页(1).jpeg", ["iphone15", "手机", "详情页"]),
        ("SPF50 Sunscreen FINAL copy.psd", ["spf50", "sunscreen"]),
        ("IMG_1234.JPG", []),
        ("DSC0001.jpg", []),
        ("微信图片_20240512143015.jpg", []),
        ("550e8400-e29b-41d4-a716-446655440000.webp", []),
    ],
)
def test_tags_from_filename(name, tags):
    assert tags_from_filename(name) == tags


def test_tags_are_deduplicated_and_at_most_ten():
    name = "red-Red-RED-" + "-".join(f"colour{letter}" for letter in "abcdefghijkl") + ".png"
    tags = tags_from_filename(name)
    assert tags[0] == "red" and tags.count("red") == 1
    assert len(tags) == 10
