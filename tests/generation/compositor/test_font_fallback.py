import pytest
from PIL import Image

from generation.compositor.fonts import (
    DEFAULT_FONT_PATHS,
    Face,
    Weight,
    coverage,
    font_for,
)
from generation.compositor.text import draw_text, measure, runs

PATHS = DEFAULT_FONT_PATHS


@pytest.mark.parametrize("family", ["sans", "serif"])
@pytest.mark.parametrize("weight", list(Weight))
def test_every_character_of_mixed_copy_gets_a_font_that_has_it(family, weight):
    for ch in "限时✨Sale 🎉¥199，Crème brûlée ✓ → ★ 30㎖":
        font_file = font_for(PATHS, family, weight, ch)

        assert font_file is not None, ch
        assert ord(ch) in coverage(font_file), (ch, font_file)


def test_emoji_prefer_the_colour_font_and_text_stays_in_the_brand_family():
    assert font_for(PATHS, "sans", Weight.BOLD, "✨") == PATHS.emoji
    assert font_for(PATHS, "sans", Weight.BOLD, "🎉") == PATHS.emoji
    assert font_for(PATHS, "sans", Weight.BOLD, "限") == PATHS.sans_bold
    assert font_for(PATHS, "serif", Weight.REGULAR, "S") == PATHS.serif_regular


def test_a_symbol_the_cjk_font_lacks_falls_back_to_dejavu():
    missing = next(
        ch
        for ch in "♔♕♖⚘⛭⟁"
        if ord(ch) not in coverage(PATHS.sans_regular)
        and ord(ch) in coverage(PATHS.fallback_regular)
    )

    assert font_for(PATHS, "sans", Weight.REGULAR, missing) == PATHS.fallback_regular


def test_a_character_no_font_has_is_dropped_not_drawn_as_a_box():
    face = Face(PATHS, "sans", Weight.REGULAR, 40)
    hieroglyph = "\U00013000"
    assert font_for(PATHS, "sans", Weight.REGULAR, hieroglyph) is None

    assert "".join(run.text for run in runs(face, f"好{hieroglyph}物")) == "好物"
    assert measure(face, f"好{hieroglyph}物") == measure(face, "好物")


def test_emoji_are_drawn_in_colour_at_the_text_size():
    face = Face(PATHS, "sans", Weight.BOLD, 48)
    image = Image.new("RGB", (200, 100), (255, 255, 255))

    draw_text(image, face=face, text="✨", x=10, baseline=70, color=(0, 0, 0))

    ink = Image.eval(image, lambda v: 255 - v).getbbox()
    assert ink is not None
    assert 0.6 * face.size <= ink[3] - ink[1] <= 1.2 * face.size
    colours = {image.getpixel((x, y)) for x in range(ink[0], ink[2]) for y in range(ink[1], ink[3])}
    assert any(abs(r - g) > 60 or abs(g - b) > 60 for r, g, b in colours)  # not black text


def test_variation_selectors_and_joiners_do_not_reach_the_canvas():
    face = Face(PATHS, "sans", Weight.REGULAR, 40)

    assert "".join(run.text for run in runs(face, "❤️👍🏽")) == "❤👍"
