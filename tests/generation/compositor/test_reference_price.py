import io
from decimal import Decimal

import pytest
from PIL import Image

from generation.backends.image.base import PriceTag
from generation.backends.image.compositor import CompositorBackend
from generation.compositor.blocks import Kind
from generation.compositor.poster import plan
from tests.generation.compositor.samples import REFERENCE_PRICE, cutout_png, spec_for

CASES = [
    ("live_1080x1920", "tall_stage"),
    ("main_800x800", "square_band"),
    ("banner_1200x628", "wide_triptych"),
]


@pytest.mark.parametrize(("channel", "layout"), CASES)
def test_the_reference_price_appears_only_when_the_product_records_one(channel, layout):
    plain = PriceTag(Decimal("199"))

    with_reference = plan(
        spec_for(channel, layout=layout, product=cutout_png(), price=REFERENCE_PRICE)
    )
    without = plan(spec_for(channel, layout=layout, product=cutout_png(), price=plain))

    assert len(with_reference.boxes(Kind.PRICE)) == 1
    assert len(with_reference.boxes(Kind.REFERENCE_PRICE)) == 1
    assert len(without.boxes(Kind.PRICE)) == 1
    assert without.boxes(Kind.REFERENCE_PRICE) == []


def test_the_reference_price_is_crossed_out():
    spec = spec_for(
        "main_800x800", layout="square_side", product=cutout_png(), price=REFERENCE_PRICE
    )

    image = Image.open(io.BytesIO(CompositorBackend().render(spec).data))

    box = plan(spec).boxes(Kind.REFERENCE_PRICE)[0]
    # The struck figure is the right end of "前30日最低价 ¥299": one row there is all ink.
    struck = image.crop((box.x1 - box.width // 5, box.y0, box.x1 - 1, box.y1)).convert("L")
    background = max(struck.getcolors() or [(0, 0)])[1]
    rows = [
        [abs(struck.getpixel((x, y)) - background) > 40 for x in range(struck.width)]
        for y in range(struck.height)
    ]
    assert any(sum(row) >= 0.95 * len(row) for row in rows)


def test_no_price_draws_no_price():
    poster = plan(spec_for("main_800x800", product=cutout_png(), price=None))

    assert poster.boxes(Kind.PRICE) == [] and poster.boxes(Kind.REFERENCE_PRICE) == []
    assert len(poster.boxes(Kind.CTA)) == 1
