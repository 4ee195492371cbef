import re
import time
from dataclasses import asdict

import pytest
from PIL import Image, ImageDraw, ImageFont

from generation.backends.image.base import Palette
from generation.compositor.colors import contrast
from generation.compositor.colors import parse_hex as rgb_of
from library.colours import (
    Swatch,
    delta_e,
    dominant_colours,
    hex_to_lab,
    palette_from_swatches,
    parse_hex,
)

HEX = re.compile(r"^#[0-9a-f]{6}$")


def flat_poster() -> Image.Image:
    """A 1080×1920 poster of flat fills with thin dark text, as the compositor draws them."""
    image = Image.new("RGB", (1080, 1920), "#fff7ed")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 1200, 1080, 1920), fill="#c2410c")
    draw.rounded_rectangle((100, 1500, 980, 1700), radius=60, fill="#0f766e")
    draw.ellipse((600, 300, 1000, 700), fill="#fdba74")
    font = ImageFont.load_default(size=90)
    for line in range(6):
        draw.text((80, 150 + line * 150), "SUMMER SALE", font=font, fill="#1f2937")
    return image


def test_a_red_image_has_one_red_swatch_covering_it():
    [swatch] = dominant_colours(Image.new("RGB", (300, 200), (220, 20, 30)))
    assert swatch.hex == "#dc141e"
    assert swatch.share == pytest.approx(1.0)
    assert delta_e(swatch.lab, hex_to_lab("#dc141e")) < 0.01


def test_swatches_are_sorted_by_share_and_shades_merge():
    image = Image.new("RGB", (100, 100), (250, 250, 250))
    image.paste((0, 90, 200), (0, 0, 100, 30))  # 30% blue
    image.paste((2, 92, 198), (0, 30, 100, 40))  # 10% the same blue, one JPEG step off
    swatches = dominant_colours(image)
    assert [s.hex for s in swatches] == ["#fafafa", "#005ac8"]
    assert [round(s.share, 2) for s in swatches] == [0.6, 0.4]


def test_a_flat_poster_gives_its_fills_and_its_thin_text_colour_exactly():
    swatches = dominant_colours(flat_poster())
    assert [s.hex for s in swatches] == ["#fff7ed", "#c2410c", "#0f766e", "#fdba74", "#1f2937"]
    # The orange block less the green button on it.
    assert swatches[1].share == pytest.approx((1080 * 720 - 880 * 200) / (1080 * 1920), abs=0.01)


def test_transparent_pixels_count_as_white():
    image = Image.new("RGBA", (100, 100), (0, 200, 0, 0))  # hidden green
    image.paste((200, 0, 0, 255), (0, 0, 50, 100))
    swatches = dominant_colours(image)
    assert [(s.hex, round(s.share, 2)) for s in swatches] == [("#c80000", 0.5), ("#ffffff", 0.5)]
    half = dominant_colours(Image.new("RGBA", (10, 10), (255, 0, 0, 128)))
    assert half[0].hex == "#ff7f7f"


def test_palette_and_grey_images_work():
    paletted = Image.new("P", (40, 40))
    paletted.putpalette([255, 255, 255, 0, 0, 255])
    paletted.paste(1, (0, 0, 40, 10))
    assert [s.hex for s in dominant_colours(paletted)] == ["#ffffff", "#0000ff"]
    assert dominant_colours(Image.new("L", (20, 20), 128))[0].hex == "#808080"


def test_dominant_colours_of_a_full_hd_poster_take_under_10_ms():
    poster = flat_poster()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        dominant_colours(poster)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.010


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#abc", "#aabbcc"),
        ("abc", "#aabbcc"),
        ("#AABBCC", "#aabbcc"),
        ("aabbcc", "#aabbcc"),
        (" #C2410C ", "#c2410c"),
        ("#abcd", None),
        ("ggg", None),
        ("##abc", None),
        ("", None),
        ("red", None),
    ],
)
def test_parse_hex(text, expected):
    assert parse_hex(text) == expected


def test_lab_and_delta_e():
    assert hex_to_lab("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert hex_to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=0.01)
    assert hex_to_lab("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.05)
    assert delta_e((50, 0, 0), (53, 4, 0)) == pytest.approx(5.0)
    assert delta_e(hex_to_lab("#c2410c"), hex_to_lab("#c1410c")) < 1
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        hex_to_lab("orange")


def test_swatches_round_trip_through_their_stored_form():
    swatch = dominant_colours(Image.new("RGB", (8, 8), (10, 120, 90)))[0]
    stored = {**asdict(swatch), "lab": list(swatch.lab)}  # as JSON gives it back
    assert Swatch.from_json(stored) == swatch


@pytest.mark.parametrize(
    "image",
    [
        flat_poster(),
        Image.new("RGB", (50, 50), (250, 220, 60)),  # one light yellow: no contrast of its own
        Image.new("RGB", (50, 50), (30, 30, 30)),  # dark grey, no colour at all
    ],
    ids=["poster", "yellow", "dark"],
)
def test_a_palette_from_swatches_is_a_readable_brand_palette(image):
    palette = palette_from_swatches(dominant_colours(image))
    Palette(**palette)
    assert all(HEX.match(value) for value in palette.values())
    background = rgb_of(palette["background"])
    assert contrast(rgb_of(palette["text"]), background) >= 4.5
    assert contrast(rgb_of(palette["primary"]), background) >= 3


def test_a_poster_palette_keeps_its_colours():
    palette = palette_from_swatches(dominant_colours(flat_poster()))
    assert palette["background"] == "#fff7ed"
    assert palette["primary"] == "#c2410c"  # the most saturated fill, already 3:1 on the cream
    assert palette["accent"] == "#0f766e"
    assert palette["text"] == "#1f2937"


def test_a_palette_needs_swatches():
    with pytest.raises(ValueError, match="at least one swatch"):
        palette_from_swatches([])
