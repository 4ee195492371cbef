from functools import partial

import pytest

from generation.compositor.fonts import DEFAULT_FONT_PATHS, Face, Weight
from generation.compositor.linebreak import CLOSING, OPENING, break_lines, fit, significant_length
from generation.compositor.text import measure


def monospace(text: str) -> float:
    """Ideographs one em wide, everything else half: enough to test the rules alone."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text)


HEADLINES = [
    "水光焕亮精华，二十八天见证透亮肌！",
    "「夏日限定」全新升级第三代精华液（限量版）",
    "买一送一！今晚八点，准时开抢。",
    "限时5折：SPF50+防晒霜，轻薄不黏腻～",
    "《美妆榜》年度好物，回购率99.9%",
]


@pytest.mark.parametrize("text", HEADLINES)
@pytest.mark.parametrize("width", [3.0, 4.0, 5.0, 6.5, 8.0])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(text, width):
    lines = break_lines(text, max_width=width, measure=monospace).lines

    assert "".join(lines) == text
    for line in lines[1:]:
        assert line[0] not in CLOSING, lines
    for line in lines[:-1]:
        assert line[-1] not in OPENING, lines


@pytest.mark.parametrize("width", [4.0, 5.0, 6.0, 7.0])
def test_latin_words_and_numbers_stay_whole(width):
    text = "限时5折 SPF50+防晒霜 99.9%回购 ¥199到手"

    lines = break_lines(text, max_width=width, measure=monospace).lines

    words = " ".join(lines).split()
    for token in ("SPF50+", "99.9%", "¥199"):
        assert any(token in word for word in words), lines


def test_latin_copy_breaks_only_at_spaces():
    lines = break_lines("Glow that lasts from nine to five", max_width=6, measure=monospace).lines

    assert lines == ("Glow that", "lasts from", "nine to five")


@pytest.mark.parametrize(
    ("text", "width"),
    [("水光焕亮精华透亮肌", 8.0), ("今晚八点准时开抢好", 4.0), ("一二三四五六七八九十一", 5.0)],
)
def test_the_last_line_is_never_a_single_character(text, width):
    lines = break_lines(text, max_width=width, measure=monospace).lines

    assert len(lines) >= 2
    assert significant_length(lines[-1]) >= 2, lines


def test_an_orphan_with_its_punctuation_still_counts_as_one_character():
    lines = break_lines("水光焕亮精华好。", max_width=6.5, measure=monospace).lines

    assert significant_length(lines[-1]) >= 2, lines


def test_balanced_lines_are_even():
    lines = break_lines("一二三四五六七八九十", max_width=9, measure=monospace, balance=True).lines

    assert lines == ("一二三四五", "六七八九十")


def test_phrases_separated_by_a_space_are_kept_when_it_costs_little():
    face = partial(Face, DEFAULT_FONT_PATHS, "sans", Weight.BOLD)

    fitted = fit(
        "水光焕亮精华 28天见证透亮肌",
        sizes=[100, 93, 86, 80],
        max_width=760,
        max_lines=3,
        measure_at=lambda size: partial(measure, face(size)),
    )

    assert fitted is not None
    assert fitted.lines == ("水光焕亮精华", "28天见证透亮肌")


def test_a_long_headline_shrinks_until_it_fits_its_box():
    face = partial(Face, DEFAULT_FONT_PATHS, "sans", Weight.BOLD)
    text = "全新升级第三代水光焕亮精华液二十八天见证透亮好肌肤"
    sizes = [96, 88, 80, 72, 64, 56, 48]

    fitted = fit(
        text,
        sizes=sizes,
        max_width=600,
        max_lines=3,
        measure_at=lambda s: partial(measure, face(s)),
    )

    assert fitted is not None
    assert fitted.size < sizes[0]
    assert len(fitted.lines) <= 3
    assert all(measure(face(fitted.size), line) <= 600 for line in fitted.lines)
    assert "".join(fitted.lines) == text


def test_copy_too_long_for_any_size_is_cut_with_an_ellipsis_only_when_asked():
    face = partial(Face, DEFAULT_FONT_PATHS, "sans", Weight.BOLD)
    text = "全新升级第三代水光焕亮精华液二十八天见证透亮好肌肤" * 3

    strict = fit(
        text, sizes=[40], max_width=300, max_lines=2, measure_at=lambda s: partial(measure, face(s))
    )
    cut = fit(
        text,
        sizes=[40],
        max_width=300,
        max_lines=2,
        measure_at=lambda s: partial(measure, face(s)),
        truncate=True,
    )

    assert strict is None
    assert cut is not None and cut.truncated
    assert len(cut.lines) == 2 and cut.lines[-1].endswith("…")
    assert all(measure(face(40), line) <= 300 for line in cut.lines)
