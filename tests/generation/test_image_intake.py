import hashlib
import io
import logging
import time
import warnings

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFile, PngImagePlugin

from generation.images import ImageRejected, IntakeResult, image_intake, probe_dimensions
from tests.generation import image_samples as samples

NOT_AN_IMAGE = "The file is not a PNG, JPEG or WebP image."
CORRUPT = "The image file is truncated or corrupt."
ANIMATED = "The image is animated; please upload a still PNG, JPEG or WebP image."


def refusal(data, **kwargs) -> str:
    kwargs.setdefault("purpose", "product")
    with pytest.raises(ImageRejected) as caught:
        image_intake(data, **kwargs)
    message = str(caught.value)
    assert message[0].isupper()
    assert message.endswith(".")
    assert ". " not in message
    assert "\n" not in message
    assert "Traceback" not in message
    return message


def decoded(result: IntakeResult) -> Image.Image:
    image = Image.open(io.BytesIO(result.data))
    image.load()
    return image


def test_opaque_photo_comes_out_as_jpeg_with_every_field_filled():
    upload = samples.encode(samples.noise("RGB", (300, 200)), "PNG")

    result = image_intake(upload, purpose="product")

    assert result.content_type == "image/jpeg"
    assert result.extension == "jpg"
    assert (result.width, result.height) == (300, 200)
    assert result.has_alpha is False
    assert result.original_format == "PNG"
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()
    output = decoded(result)
    assert (output.format, output.mode, output.size) == ("JPEG", "RGB", (300, 200))


def test_file_like_upload_gives_the_same_result_as_bytes():
    upload = samples.encode(samples.noise("RGB", (100, 100)), "PNG")

    from_stream = image_intake(io.BytesIO(upload), purpose="product")

    assert from_stream == image_intake(upload, purpose="product")


def test_upload_one_byte_over_the_limit_is_refused():
    upload = samples.encode(samples.noise("RGB", (100, 100)), "PNG")

    message = refusal(upload, max_bytes=len(upload) - 1)

    assert (
        message == f"The file is larger than the {round((len(upload) - 1) / 1024, 1):g} KB limit."
    )


def test_upload_of_exactly_the_limit_is_accepted():
    upload = samples.encode(samples.noise("RGB", (100, 100)), "PNG")

    assert image_intake(upload, purpose="product", max_bytes=len(upload)).width == 100


def test_oversized_stream_is_refused_without_reading_it_all():
    stream = io.BytesIO(samples.PNG_SIGNATURE + bytes(5 * 1024 * 1024))

    message = refusal(stream, max_bytes=1024 * 1024)

    assert message == "The file is larger than the 1 MB limit."
    assert stream.tell() == 1024 * 1024 + 1


def test_default_limit_is_twenty_mebibytes():
    message = refusal(samples.PNG_SIGNATURE + bytes(20 * 1024 * 1024))

    assert message == "The file is larger than the 20 MB limit."


def test_empty_upload_is_refused():
    assert refusal(b"") == "The file is empty."


@pytest.mark.parametrize("kind", sorted(samples.NOT_IMAGES))
@pytest.mark.parametrize("declared", [None, "image/png"])
def test_files_that_are_not_images_are_refused(kind, declared):
    message = refusal(samples.NOT_IMAGES[kind], declared_content_type=declared)

    assert message == NOT_AN_IMAGE


@pytest.mark.parametrize("build", [samples.gif, samples.bmp, samples.tiff])
def test_images_in_other_formats_are_refused_even_when_declared_as_png(build):
    assert refusal(build(), declared_content_type="image/png") == NOT_AN_IMAGE


def test_png_with_html_appended_is_taken_as_png_and_the_html_is_dropped(caplog):
    png = samples.encode(samples.solid("RGB", (100, 100), (0, 0, 255)), "PNG")
    polyglot = png + samples.NOT_IMAGES["html"]

    with caplog.at_level(logging.INFO, logger="generation.images"):
        result = image_intake(polyglot, purpose="product", declared_content_type="text/html")

    assert result.original_format == "PNG"
    assert b"<script>" not in result.data
    [record] = [r for r in caplog.records if r.msg == "image_intake.content_type_mismatch"]
    assert record.declared_content_type == "text/html"
    assert record.sniffed_content_type == "image/png"


@pytest.mark.parametrize("declared", ["image/jpeg", "image/jpg", "IMAGE/JPEG; charset=binary"])
def test_truthful_declared_type_is_not_logged(caplog, declared):
    upload = samples.encode(samples.solid("RGB", (100, 100), (0, 0, 255)), "JPEG")

    with caplog.at_level(logging.INFO, logger="generation.images"):
        image_intake(upload, purpose="product", declared_content_type=declared)

    assert [r.msg for r in caplog.records] == []


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (samples.png_bomb, "30000×30000"),
        (lambda: samples.jpeg_claiming(65000, 65000), "65000×65000"),
        (lambda: samples.webp_claiming(16384, 16384), "16384×16384"),
    ],
    ids=["png", "jpeg", "webp"],
)
def test_decompression_bomb_is_refused_from_its_header(build, size):
    bomb = build()
    allocations_before = Image.core.get_stats()["new_count"]

    started = time.perf_counter()
    message = refusal(bomb)
    elapsed = time.perf_counter() - started

    assert message == f"The image is {size} pixels; the limit is 40 megapixels."
    assert elapsed < 0.1
    assert Image.core.get_stats()["new_count"] == allocations_before


def test_forty_megapixels_passes_the_size_check_and_one_row_more_does_not():
    # Headers only: the first fails later, at decoding, which shows it got past the limit.
    assert refusal(samples.jpeg_claiming(8000, 5000)) == CORRUPT
    assert refusal(samples.jpeg_claiming(8000, 5001)) == (
        "The image is 8000×5001 pixels; the limit is 40 megapixels."
    )


@pytest.mark.parametrize("side", [40, 100])  # Pillow would warn at 40², raise at 100²
def test_lower_pillow_pixel_limit_is_respected_without_pillow_warnings(monkeypatch, side):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    upload = samples.encode(samples.noise("RGB", (side, side)), "PNG")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = refusal(upload, purpose="logo")

    assert message == f"The image is {side}×{side} pixels; the limit is 0.001 megapixels."


def test_intake_refuses_to_run_with_truncated_loading_switched_on(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    upload = samples.encode(samples.noise("RGB", (100, 100)), "PNG")

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        image_intake(upload, purpose="product")


def _truncated(image_format: str, **params) -> bytes:
    data = samples.encode(samples.noise("RGB", (200, 200)), image_format, **params)
    return data[: len(data) // 2]


def _garbled_png() -> bytes:
    data = bytearray(samples.encode(samples.noise("RGB", (200, 200)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 200 : idat + 400] = bytes(200)
    return bytes(data)


@pytest.mark.parametrize(
    "build",
    [
        lambda: _truncated("PNG"),
        lambda: _truncated("JPEG", quality=95),
        lambda: _truncated("JPEG", quality=95, progressive=True),
        lambda: _truncated("WEBP", quality=90),
        lambda: samples.PNG_SIGNATURE + samples.png_ihdr(200, 200, bit_depth=8, colour_type=2),
        lambda: samples.PNG_SIGNATURE + b"\x00\x00",
        _garbled_png,
        lambda: samples.jpeg_claiming(200, 200),
        lambda: samples.webp_claiming(200, 200),
    ],
    ids=[
        "png-half",
        "jpeg-half",
        "progressive-jpeg-half",
        "webp-half",
        "png-header-only",
        "png-signature-only",
        "png-garbled-data",
        "jpeg-header-only",
        "webp-header-only",
    ],
)
def test_truncated_or_corrupt_files_are_refused(build):
    assert refusal(build()) == CORRUPT


@pytest.mark.parametrize(
    ("purpose", "size"),
    [("product", (63, 200)), ("product", (200, 63)), ("background", (63, 63)), ("logo", (15, 100))],
)
def test_too_small_image_is_refused(purpose, size):
    upload = samples.encode(samples.noise("RGB", size), "PNG")

    message = refusal(upload, purpose=purpose)

    minimum = 16 if purpose == "logo" else 64
    assert message == (
        f"The image is {size[0]}×{size[1]} pixels; a {purpose} image must be at least "
        f"{minimum} pixels on each side."
    )


@pytest.mark.parametrize(("purpose", "side"), [("product", 64), ("background", 64), ("logo", 16)])
def test_image_of_exactly_the_minimum_side_is_accepted(purpose, side):
    upload = samples.encode(samples.noise("RGB", (side, side)), "PNG")

    assert image_intake(upload, purpose=purpose).width == side


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour():
    upload = samples.encode(samples.solid("CMYK", (100, 100), (0, 255, 255, 0)), "JPEG")

    result = image_intake(upload, purpose="product")

    red, green, blue = decoded(result).getpixel((50, 50))
    assert (result.original_format, decoded(result).mode) == ("JPEG", "RGB")
    assert red >= 240 and green <= 15 and blue <= 15


def test_embedded_colour_profile_is_converted_to_srgb_then_dropped():
    profile = samples.icc_red_green_swapped()
    upload = samples.encode(
        samples.solid("RGB", (100, 100), (255, 0, 0)), "PNG", icc_profile=profile
    )

    result = image_intake(upload, purpose="logo")

    output = decoded(result)
    assert "icc_profile" not in output.info
    red, green, blue = output.getpixel((50, 50))
    assert red <= 5 and green >= 250 and blue <= 5


def test_srgb_profile_leaves_the_colours_alone():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = samples.encode(
        samples.solid("RGB", (100, 100), (200, 120, 40)), "PNG", icc_profile=srgb
    )

    output = decoded(image_intake(upload, purpose="logo"))

    assert "icc_profile" not in output.info
    assert all(
        abs(a - b) <= 1 for a, b in zip(output.getpixel((50, 50)), (200, 120, 40), strict=True)
    )


@pytest.mark.parametrize("colour_type", [0, 2, 4], ids=["grey", "rgb", "grey-alpha"])
def test_sixteen_bit_png_is_scaled_to_eight_bits_not_clipped(colour_type):
    upload = samples.sixteen_bit_gradient_png(256, 32, colour_type=colour_type)

    result = image_intake(upload, purpose="logo")

    output = decoded(result)
    assert (output.mode, result.has_alpha) == ("RGB", False)
    assert [output.getpixel((x, 0)) for x in range(256)] == [(x, x, x) for x in range(256)]


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_animated_image_is_refused(image_format):
    assert refusal(samples.animated(image_format)) == ANIMATED


def test_multi_picture_jpeg_is_a_jpeg_and_keeps_the_primary_picture():
    result = image_intake(samples.mpo(), purpose="product")

    assert (result.original_format, result.width, result.height) == ("JPEG", 120, 80)
    red, green, blue = decoded(result).getpixel((60, 40))
    assert red <= 5 and 120 <= green <= 136 and blue <= 5


@pytest.mark.parametrize(
    ("orientation", "size", "red_corner", "grey_corner"),
    [
        (3, (240, 120), (220, 100), (20, 20)),  # rotated 180°: red block to bottom right
        (6, (120, 240), (100, 20), (20, 20)),  # rotated 90° clockwise: to top right
        (8, (120, 240), (20, 220), (20, 20)),  # rotated 90° anticlockwise: to bottom left
    ],
)
def test_exif_orientation_is_applied_and_exif_dropped(orientation, size, red_corner, grey_corner):
    upload = samples.exif_rotated_jpeg(orientation=orientation)

    result = image_intake(upload, purpose="product")

    output = decoded(result)
    assert (result.width, result.height) == size
    red, green, blue = output.getpixel(red_corner)
    assert red >= 240 and green <= 15 and blue <= 15
    assert all(abs(channel - 128) <= 3 for channel in output.getpixel(grey_corner))
    assert len(output.getexif()) == 0
    assert b"Exif" not in result.data
    assert b"BrandloomCam" not in result.data


def test_text_exif_and_profile_chunks_are_stripped_from_png():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret-author")
    text.add_itxt("Comment", "secret-comment", zip=True)
    exif = Image.Exif()
    exif[0x010F] = "secret-camera"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = samples.encode(
        samples.cut_out_png(), "PNG", pnginfo=text, exif=exif.tobytes(), icc_profile=srgb
    )

    result = image_intake(upload, purpose="product")

    assert decoded(result).info == {}
    assert b"secret" not in result.data


def test_comments_and_xmp_are_stripped_from_jpeg():
    upload = samples.encode(
        samples.noise("RGB", (100, 100)),
        "JPEG",
        comment=b"secret-comment",
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
    )

    result = image_intake(upload, purpose="product")

    assert set(decoded(result).info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
    assert b"secret" not in result.data


@pytest.mark.parametrize(
    ("purpose", "content_type"), [("product", "image/jpeg"), ("logo", "image/png")]
)
def test_png_with_an_all_opaque_alpha_channel_has_no_alpha(purpose, content_type):
    upload = samples.encode(samples.noise("RGBA", (100, 100)).convert("RGB").convert("RGBA"), "PNG")

    result = image_intake(upload, purpose=purpose)

    assert (result.has_alpha, result.content_type, decoded(result).mode) == (
        False,
        content_type,
        "RGB",
    )


@pytest.mark.parametrize("purpose", ["product", "logo", "background"])
def test_cut_out_png_keeps_its_transparency_as_png(purpose):
    upload = samples.encode(samples.cut_out_png(), "PNG")

    result = image_intake(upload, purpose=purpose)

    output = decoded(result)
    assert (result.has_alpha, result.content_type, result.extension) == (True, "image/png", "png")
    assert (output.format, output.mode) == ("PNG", "RGBA")
    assert output.getpixel((0, 0))[3] == 0
    assert output.getpixel((100, 100)) == (255, 0, 0, 255)


def _palette(*, transparent: bool) -> Image.Image:
    image = samples.solid("RGB", (100, 100), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 49, 99), fill=(255, 255, 0))
    palette = image.quantize(colors=2)
    if transparent:
        palette.info["transparency"] = palette.getpixel((0, 0))
    return palette


def _grey_alpha() -> Image.Image:
    image = samples.solid("LA", (100, 100), (90, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 49, 99), fill=(90, 0))
    return image


@pytest.mark.parametrize(
    ("build", "mode", "has_alpha", "right_pixel"),
    [
        (lambda: _palette(transparent=True), "RGBA", True, (0, 0, 255, 255)),
        (lambda: _palette(transparent=False), "RGB", False, (0, 0, 255)),
        (_grey_alpha, "RGBA", True, (90, 90, 90, 255)),
        (lambda: samples.solid("L", (100, 100), 90), "RGB", False, (90, 90, 90)),
        (lambda: samples.solid("1", (100, 100), 1), "RGB", False, (255, 255, 255)),
    ],
    ids=["palette-transparent", "palette", "grey-alpha", "grey", "bilevel"],
)
def test_png_modes_become_rgb_or_rgba(build, mode, has_alpha, right_pixel):
    upload = samples.encode(build(), "PNG")

    result = image_intake(upload, purpose="logo")

    output = decoded(result)
    assert (output.mode, result.has_alpha) == (mode, has_alpha)
    assert output.getpixel((75, 50)) == right_pixel
    if has_alpha:
        assert output.getpixel((25, 50))[3] == 0


def _two_colour(size: tuple[int, int]) -> Image.Image:
    image = samples.solid("RGB", size, (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 2 - 1, size[1]), fill=(255, 0, 0))
    return image


@pytest.mark.parametrize(
    ("size", "expected"),
    [((6000, 4000), (4096, 2731)), ((2000, 6000), (1365, 4096)), ((9000, 4000), (4096, 1820))],
    ids=["landscape", "portrait", "jpeg-draft-scale"],
)
def test_large_image_is_downscaled_to_4096_on_the_long_side(size, expected):
    upload = samples.encode(_two_colour(size), "JPEG", quality=90)

    result = image_intake(upload, purpose="product")

    output = decoded(result)
    assert (result.width, result.height) == expected
    assert output.size == expected
    left = output.getpixel((expected[0] // 4, expected[1] // 2))
    right = output.getpixel((expected[0] * 3 // 4, expected[1] // 2))
    assert left[0] >= 240 and left[2] <= 15
    assert right[2] >= 240 and right[0] <= 15


def test_image_at_4096_is_not_resized():
    upload = samples.encode(samples.solid("RGB", (4096, 100), (10, 20, 30)), "PNG")

    assert (image_intake(upload, purpose="product").width, 100) == (4096, 100)


@pytest.mark.parametrize(
    ("params", "chunk"),
    [
        ({"quality": 80}, b"VP8 "),
        ({"lossless": True}, b"VP8L"),
        ({"quality": 80, "mode": "RGBA"}, b"VP8X"),
    ],
    ids=["lossy", "lossless", "extended"],
)
def test_webp_headers_are_probed_and_accepted(params, chunk):
    mode = params.pop("mode", "RGB")
    image = (
        samples.cut_out_png().resize((210, 130))
        if mode == "RGBA"
        else samples.noise(mode, (210, 130))
    )
    upload = samples.encode(image, "WEBP", **params)
    assert upload[12:16] == chunk

    result = image_intake(upload, purpose="product")

    assert probe_dimensions(upload) == (210, 130)
    assert (result.original_format, result.width, result.height) == ("WEBP", 210, 130)
    assert result.has_alpha is (mode == "RGBA")


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_probe_reads_png_and_jpeg_headers(image_format):
    upload = samples.encode(samples.noise("RGB", (321, 123)), image_format)

    assert probe_dimensions(upload) == (321, 123)


def test_probe_refuses_what_is_not_an_image():
    with pytest.raises(ImageRejected) as caught:
        probe_dimensions(samples.NOT_IMAGES["svg"])

    assert str(caught.value) == NOT_AN_IMAGE


def test_same_upload_gives_the_same_bytes():
    upload = samples.exif_rotated_jpeg()

    assert (
        image_intake(upload, purpose="product").sha256
        == image_intake(upload, purpose="product").sha256
    )


def test_unknown_purpose_is_a_programming_error_not_a_refusal():
    with pytest.raises(ValueError, match="unknown image purpose") as caught:
        image_intake(b"", purpose="banner")  # type: ignore[arg-type]

    assert not isinstance(caught.value, ImageRejected)
