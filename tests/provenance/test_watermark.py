import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from generation.compositor.poster import compose
from provenance.watermark import MIN_SIDE, Detection, Payload, detect, embed
from tests.generation.compositor.samples import (
    COPY_EN,
    COPY_LONG,
    COPY_ZH,
    background_photo_jpeg,
    cutout_png,
    logo_png,
    spec_for,
)

PAYLOAD = Payload(installation_id=4242, asset_id=987_654_321_012)
POSTER_SPECS = [
    dict(seed=0, palette="rose", copy=COPY_ZH),
    dict(seed=5, palette="night", copy=COPY_EN),
    dict(seed=11, palette="ocean", copy=COPY_LONG),
]


def poster(seed: int, palette: str, copy, *, background: bool = False) -> Image.Image:
    spec = spec_for(
        "live_1080x1920",
        copy=copy,
        seed=seed,
        palette=palette,
        product=cutout_png(),
        logo=logo_png(),
        background=background_photo_jpeg() if background else None,
    )
    return compose(spec)[0].convert("RGB")


@pytest.fixture(scope="module")
def originals() -> list[Image.Image]:
    return [poster(**kwargs) for kwargs in POSTER_SPECS]


@pytest.fixture(scope="module")
def marked(originals) -> list[Image.Image]:
    return [
        embed(image, Payload(PAYLOAD.installation_id, PAYLOAD.asset_id + index))
        for index, image in enumerate(originals)
    ]


def jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def half(image: Image.Image, resample: Image.Resampling) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2), resample)


def crop_window(image: Image.Image, left_share: float, top_share: float) -> Image.Image:
    width, height = round(image.width * 0.9), round(image.height * 0.9)
    left = round((image.width - width) * left_share)
    top = round((image.height - height) * top_share)
    return image.crop((left, top, left + width, top + height))


TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg_q75": jpeg,
    "resize_50_lanczos": lambda image: half(image, Image.Resampling.LANCZOS),
    "resize_50_bilinear": lambda image: half(image, Image.Resampling.BILINEAR),
    "crop_90_centred": lambda image: crop_window(image, 0.5, 0.5),
    "crop_90_odd_offset": lambda image: crop_window(image, 0.37, 0.81),
    "crop_10_left_edge": lambda image: image.crop((image.width // 10, 0, *image.size)),
    "crop_10_bottom_edge": lambda image: image.crop((0, 0, image.width, image.height * 9 // 10)),
    "jpeg_q75_after_resize_50": lambda image: jpeg(half(image, Image.Resampling.LANCZOS)),
}


def psnr(first: Image.Image, second: Image.Image) -> float:
    difference = np.asarray(first, dtype=np.float64) - np.asarray(second, dtype=np.float64)
    return float(10 * np.log10(255**2 / np.mean(difference**2)))


def test_a_marked_poster_gives_back_its_payload(marked):
    found = detect(marked[0])

    assert found == Detection(found=True, payload=PAYLOAD, confidence=1.0)


def test_embed_keeps_the_size_and_returns_rgb(originals, marked):
    assert [image.size for image in marked] == [image.size for image in originals]
    assert {image.mode for image in marked} == {"RGB"}


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_the_mark_survives(marked, transform):
    payloads = [detect(TRANSFORMS[transform](image)).payload for image in marked]

    assert payloads == [
        Payload(PAYLOAD.installation_id, PAYLOAD.asset_id + index) for index in range(len(marked))
    ]


def test_the_mark_is_read_on_a_textured_photo():
    image = embed(photo_like(3), PAYLOAD)

    assert detect(jpeg(image)).payload == PAYLOAD


def test_the_mark_survives_on_a_photo_backdrop():
    image = embed(poster(3, "forest", COPY_ZH, background=True), PAYLOAD)

    assert detect(jpeg(half(image, Image.Resampling.LANCZOS))).payload == PAYLOAD


def test_the_mark_is_quieter_than_40_db(originals, marked):
    assert min(psnr(a, b) for a, b in zip(originals, marked, strict=True)) > 40.0


def test_embed_is_deterministic(originals):
    first = embed(originals[1], PAYLOAD).tobytes()
    second = embed(originals[1].copy(), PAYLOAD).tobytes()

    assert first == second


@pytest.mark.parametrize("mode", ["RGBA", "L", "P"])
def test_other_modes_are_converted_and_marked(originals, mode):
    image = originals[0].convert(mode, palette=Image.Palette.ADAPTIVE)

    result = embed(image, PAYLOAD)

    assert (result.mode, result.size) == ("RGB", image.size)
    assert detect(result).payload == PAYLOAD


def photo_like(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    coarse = rng.normal(128, 60, (120, 68, 3)).clip(0, 255).astype(np.uint8)
    image = np.asarray(Image.fromarray(coarse).resize((1080, 1920), Image.Resampling.BICUBIC))
    grain = rng.normal(0, 10, (1920, 1080, 1))
    return Image.fromarray((image + grain).clip(0, 255).astype(np.uint8))


def text_heavy() -> Image.Image:
    image = Image.new("RGB", (1080, 1920), "white")
    draw = ImageDraw.Draw(image)
    for row in range(60):
        draw.text((20, 10 + row * 31), "watermark provenance 0123456789 " * 3, fill="black")
    return image


def gradient() -> Image.Image:
    return Image.linear_gradient("L").resize((1080, 1920)).convert("RGB")


UNMARKED: dict[str, Callable[[], Image.Image]] = {
    "photo_like": lambda: photo_like(1),
    "blurred_photo_like": lambda: photo_like(2).filter(ImageFilter.GaussianBlur(3)),
    "flat": lambda: Image.new("RGB", (1080, 1920), (200, 30, 90)),
    "gradient": gradient,
    "text_heavy": text_heavy,
    "checkerboard_8px": lambda: Image.fromarray(
        (np.indices((1920, 1080)).sum(axis=0) // 8 % 2 * 255).astype(np.uint8)
    ),
}


@pytest.mark.parametrize("name", UNMARKED)
def test_unmarked_images_are_not_found(name):
    assert detect(UNMARKED[name]()) == Detection(found=False, payload=None, confidence=0.0)


def test_unmarked_posters_are_not_found(originals):
    assert [detect(image).found for image in originals] == [False] * len(originals)


@pytest.mark.parametrize(
    "payload",
    [Payload(-1, 0), Payload(65_536, 0), Payload(0, -1), Payload(0, 2**40)],
    ids=["installation_negative", "installation_too_big", "asset_negative", "asset_too_big"],
)
def test_out_of_range_payloads_are_refused(payload):
    with pytest.raises(ValueError, match="must be between"):
        embed(Image.new("RGB", (512, 512)), payload)


@pytest.mark.parametrize("size", [(MIN_SIDE - 1, 2000), (2000, MIN_SIDE - 1)])
def test_images_too_small_to_carry_a_mark_are_refused(size):
    with pytest.raises(ValueError, match=f"at least {MIN_SIDE} px"):
        embed(Image.new("RGB", size), PAYLOAD)


def test_the_smallest_allowed_image_carries_a_mark(originals):
    image = originals[0].resize((MIN_SIDE, MIN_SIDE))

    assert detect(embed(image, PAYLOAD)).payload == PAYLOAD


@pytest.mark.parametrize(
    ("mode", "size"),
    [
        ("RGB", (1, 1)),
        ("RGB", (0, 0)),
        ("RGB", (100, 3000)),
        ("1", (300, 300)),
        ("LA", (300, 300)),
        ("CMYK", (300, 300)),
        ("I;16", (300, 300)),
        ("I", (300, 300)),
        ("F", (300, 300)),
        ("P", (300, 300)),
    ],
)
def test_detect_on_tiny_or_odd_images_finds_nothing(mode, size):
    assert detect(Image.new(mode, size)).found is False
