from dataclasses import replace

import pytest

from generation.backends.image.base import ImageBackendError
from generation.backends.image.compositor import CompositorBackend
from generation.backends.text.base import Copy
from tests.generation.compositor.samples import background_photo_jpeg, cutout_png, spec_for

TRUNCATED_PNG = cutout_png()[:400]
GARBAGE = b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50


@pytest.mark.parametrize("data", [GARBAGE, TRUNCATED_PNG, b"", b"GIF89a"])
@pytest.mark.parametrize("field", ["product", "logo", "background"])
def test_unreadable_images_fail_without_retry(field, data):
    if not data:
        data = b"\x00"
    spec = spec_for("main_800x800", **{field: data})

    with pytest.raises(ImageBackendError) as caught:
        CompositorBackend().render(spec)

    assert caught.value.retryable is False
    assert field in str(caught.value)


def test_a_fully_transparent_product_is_refused():
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(buffer, "PNG")

    with pytest.raises(ImageBackendError, match="transparent"):
        CompositorBackend().render(spec_for("main_800x800", product=buffer.getvalue()))


def test_a_palette_colour_that_is_not_hex_is_refused():
    spec = spec_for("main_800x800")
    spec = replace(spec, palette=replace(spec.palette, primary="red"))

    with pytest.raises(ImageBackendError, match="red") as caught:
        CompositorBackend().render(spec)

    assert caught.value.retryable is False


def test_empty_copy_still_renders_the_brand_and_label():
    empty = Copy("", "", (), "", "", "")
    for layout in ("square_side", "square_center", "square_band"):
        spec = spec_for("main_800x800", layout=layout, copy=empty, price=None, product=cutout_png())

        rendered = CompositorBackend().render(spec)

        assert rendered.layout == layout


def test_a_background_photo_renders():
    rendered = CompositorBackend().render(
        spec_for("xiaohongshu_1080x1440", background=background_photo_jpeg())
    )

    assert rendered.width == 1080 and rendered.height == 1440
