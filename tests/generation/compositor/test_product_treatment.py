import io

from PIL import Image

from generation.backends.image.compositor import CompositorBackend
from generation.compositor.blocks import Kind
from generation.compositor.poster import plan
from generation.compositor.sources import decode
from tests.generation.compositor.samples import cutout_png, product_photo_jpeg, spec_for


def _render(product: bytes):
    spec = spec_for("main_800x800", layout="square_center", product=product)
    image = Image.open(io.BytesIO(CompositorBackend().render(spec).data)).convert("RGB")
    return image, plan(spec).boxes(Kind.PRODUCT)[0]


def test_a_product_with_transparency_is_a_cut_out_on_the_background():
    image, box = _render(cutout_png())

    assert decode(cutout_png(), role="product").has_alpha
    # The bottle's outline leaves the box's top corners to the background, which is light.
    corner = image.getpixel((box.x0 + 1, box.y0 + 1))
    assert min(corner) > 200
    centre = image.getpixel((round(box.center_x), round(box.center_y)))
    assert corner != centre


def test_an_opaque_photo_is_framed():
    image, box = _render(product_photo_jpeg())

    assert not decode(product_photo_jpeg(), role="product").has_alpha
    # A white frame runs around the photo, with rounded corners.
    edge = [
        image.getpixel((round(box.center_x), box.y0 + 3)),
        image.getpixel((box.x0 + 3, round(box.center_y))),
    ]
    assert all(min(pixel) >= 245 for pixel in edge)
    assert image.getpixel((box.x0, box.y0)) != (255, 255, 255)


def test_an_alpha_channel_that_hides_nothing_counts_as_a_photo():
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 400), (120, 160, 200, 255)).save(buffer, "PNG")

    assert not decode(buffer.getvalue(), role="product").has_alpha


def test_the_cut_out_is_cropped_to_its_visible_pixels():
    buffer = io.BytesIO()
    canvas = Image.new("RGBA", (500, 500), (0, 0, 0, 0))
    canvas.paste((200, 30, 30, 255), (100, 150, 300, 450))
    canvas.save(buffer, "PNG")

    picture = decode(buffer.getvalue(), role="product")

    assert picture.has_alpha and picture.image.size == (200, 300)
