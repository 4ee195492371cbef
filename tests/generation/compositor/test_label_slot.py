import pytest

from generation.channels import PRESETS
from generation.compositor.blocks import Kind
from generation.compositor.fonts import load_font
from generation.compositor.layouts import LABEL_TEXT_HEIGHT_RATIO, label_slot, layout_names
from generation.compositor.poster import plan
from tests.generation.compositor.samples import cutout_png, spec_for


@pytest.mark.parametrize("channel", list(PRESETS))
def test_the_label_slot_is_where_every_layout_draws_the_label(channel):
    preset = PRESETS[channel]
    for layout in layout_names(width=preset.width, height=preset.height):
        slot = label_slot(
            layout, width=preset.width, height=preset.height, safe_zone=preset.safe_zone
        )

        poster = plan(spec_for(channel, layout=layout, product=cutout_png()))

        assert poster.boxes(Kind.LABEL) == [slot]
        # Top-right corner of the safe zone.
        zone = preset.safe_zone
        assert slot.x1 <= preset.width - zone.right and slot.y0 >= zone.top
        assert slot.x1 >= preset.width - max(
            zone.right, round(min(preset.width, preset.height) * 0.05)
        )


@pytest.mark.parametrize("channel", list(PRESETS))
def test_label_text_is_at_least_a_twentieth_of_the_short_side(channel):
    preset = PRESETS[channel]

    poster = plan(spec_for(channel))

    face = poster.label.face
    _, top, _, bottom = load_font(face.paths.sans_regular, face.size).getbbox("AI生成", anchor="ls")
    assert bottom - top >= LABEL_TEXT_HEIGHT_RATIO * min(preset.width, preset.height)
    assert poster.label.box.width > poster.label.text_width


def test_an_unknown_layout_has_no_slot():
    with pytest.raises(KeyError):
        label_slot("nope", width=800, height=800, safe_zone=PRESETS["main_800x800"].safe_zone)
