import io
from dataclasses import replace

import pytest
from PIL import Image

from generation.backends.image.base import ImageBackendError, OutputFormat, SafeZone
from generation.backends.image.compositor import CompositorBackend
from generation.channels import PRESETS, channel_get
from tests.generation.compositor.samples import cutout_png, spec_for

CHANNELS = [*PRESETS, "custom_256x256", "custom_600x900", "custom_2000x500", "custom_300x2400"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_renders_at_its_exact_size(channel):
    preset = channel_get(channel)
    spec = replace(
        spec_for("main_800x800", product=cutout_png()),
        width=preset.width,
        height=preset.height,
        channel=channel,
        safe_zone=preset.safe_zone,
    )

    rendered = CompositorBackend().render(spec)

    image = Image.open(io.BytesIO(rendered.data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (preset.width, preset.height)
    assert (rendered.width, rendered.height) == (preset.width, preset.height)
    assert rendered.content_type == "image/jpeg"
    assert set(rendered.timings_ms) == {"compose", "text"}


@pytest.mark.parametrize(
    ("output_format", "pillow_format", "content_type"),
    [
        (OutputFormat.JPEG, "JPEG", "image/jpeg"),
        (OutputFormat.WEBP, "WEBP", "image/webp"),
        (OutputFormat.PNG, "PNG", "image/png"),
    ],
)
def test_the_requested_format_is_encoded(output_format, pillow_format, content_type):
    spec = spec_for("main_800x800", output_format=output_format)

    rendered = CompositorBackend().render(spec)

    image = Image.open(io.BytesIO(rendered.data))
    assert image.format == pillow_format
    assert image.size == (800, 800)
    assert rendered.content_type == content_type


@pytest.mark.parametrize(("width", "height"), [(255, 800), (800, 4097)])
def test_sizes_outside_the_range_are_refused(width, height):
    spec = replace(spec_for("main_800x800"), width=width, height=height, safe_zone=SafeZone())

    with pytest.raises(ImageBackendError) as caught:
        CompositorBackend().render(spec)

    assert caught.value.retryable is False


def test_a_layout_of_another_aspect_is_refused():
    spec = spec_for("main_800x800", layout="tall_stage")

    with pytest.raises(ImageBackendError, match="square_side"):
        CompositorBackend().render(spec)


def test_each_aspect_offers_at_least_three_layouts():
    backend = CompositorBackend()

    tall = backend.layouts(width=1080, height=1920)
    square = backend.layouts(width=800, height=800)
    wide = backend.layouts(width=1200, height=628)

    assert len(tall) >= 3 and len(square) >= 3 and len(wide) >= 3
    assert not set(tall) & set(square) and not set(square) & set(wide)
    assert backend.layouts(width=1080, height=1440) == tall
