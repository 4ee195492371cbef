from dataclasses import replace
from itertools import combinations

import pytest

from generation.backends.image.base import SafeZone
from generation.channels import PRESETS, channel_get
from generation.compositor.blocks import SAFE_KINDS, Kind
from generation.compositor.geometry import Box
from generation.compositor.layouts import layout_names
from generation.compositor.poster import plan
from tests.generation.compositor.samples import (
    COPY_EMOJI,
    COPY_EN,
    COPY_LONG,
    COPY_ZH,
    REFERENCE_PRICE,
    cutout_png,
    logo_png,
    product_photo_jpeg,
    spec_for,
)

CHANNELS = [*PRESETS, "custom_640x640", "custom_1600x900", "custom_700x1800"]
PRODUCTS = {
    "cutout": cutout_png(),
    "wide_cutout": cutout_png("jar"),
    "photo": product_photo_jpeg(),
    "none": None,
}
COPIES = {"zh": COPY_ZH, "en": COPY_EN, "emoji": COPY_EMOJI, "long": COPY_LONG}


def _cases():
    for channel in CHANNELS:
        preset = channel_get(channel)
        for layout in layout_names(width=preset.width, height=preset.height):
            for product in PRODUCTS:
                yield channel, layout, product


def _spec(channel, layout, product, copy="zh", **kwargs):
    preset = channel_get(channel)
    base = spec_for(
        "main_800x800", layout="", product=PRODUCTS[product], copy=COPIES[copy], **kwargs
    )
    return replace(
        base,
        width=preset.width,
        height=preset.height,
        channel=channel,
        safe_zone=preset.safe_zone,
        layout=layout,
    )


def _safe_box(spec) -> Box:
    zone: SafeZone = spec.safe_zone
    return Box(zone.left, zone.top, spec.width - zone.right, spec.height - zone.bottom)


@pytest.mark.parametrize(("channel", "layout", "product"), list(_cases()))
def test_copy_logo_price_and_label_stay_inside_the_safe_zone(channel, layout, product):
    spec = _spec(channel, layout, product, price=REFERENCE_PRICE)

    poster = plan(spec)

    safe = _safe_box(spec)
    kinds = {element.kind for element in poster.elements}
    assert {
        Kind.HEADLINE,
        Kind.SUBHEADLINE,
        Kind.BULLETS,
        Kind.PRICE,
        Kind.CTA,
        Kind.LABEL,
        Kind.LOGO,
    } <= kinds
    for element in poster.elements:
        if element.kind in SAFE_KINDS:
            assert safe.contains(element.box), (element, safe)
        assert Box(0, 0, spec.width, spec.height).contains(element.box), element


@pytest.mark.parametrize(("channel", "layout", "product"), list(_cases()))
@pytest.mark.parametrize("copy", ["zh", "long", "emoji"])
def test_no_element_overlaps_another_or_the_label_slot(channel, layout, product, copy):
    spec = _spec(channel, layout, product, copy=copy, price=REFERENCE_PRICE, logo=logo_png())

    poster = plan(spec)

    label = poster.boxes(Kind.LABEL)
    assert label == [poster.frame.label]
    for first, second in combinations(poster.elements, 2):
        assert not first.box.intersects(second.box), (first, second)


@pytest.mark.parametrize("channel", ["live_1080x1920", "xiaohongshu_1080x1440"])
def test_imagery_may_run_under_the_live_overlay_but_copy_may_not(channel):
    spec = _spec(channel, "tall_showcase", "cutout")

    poster = plan(spec)

    safe = _safe_box(spec)
    copy_bottom = max(e.box.y1 for e in poster.elements if e.kind in SAFE_KINDS)
    assert copy_bottom <= safe.y1
    product = poster.boxes(Kind.PRODUCT)[0]
    if channel == "live_1080x1920":
        assert product.y1 > safe.y1  # the product is allowed under the comment feed
    else:
        assert product.y1 <= safe.y1


def test_copy_alone_fills_the_poster_when_there_is_no_product():
    poster = plan(_spec("main_800x800", "square_side", "none"))

    assert poster.boxes(Kind.PRODUCT) == []
    assert len(poster.boxes(Kind.HEADLINE)) == 1
