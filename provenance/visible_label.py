"""The visible AI-generated label on an image made elsewhere (label_image, the dashboard).

Posters we compose carry the label in their layout's reserved slot (generation.compositor);
this draws the same pill, with the same geometry, on any picture: the top-right corner inside
a margin of 5% of the shorter side, where channel crops (which trim edges, never corners
inside the margin) leave it whole.

GB 45438-2025 asks that an image's explicit label be text in a corner or on an edge, at least
5% of the shorter side tall (the ratio is kept in generation.compositor.layouts, which cites
it); the text says "AI生成" or, for an English brand, "AI-generated".
"""

from PIL import Image

from generation.backends.image.base import Palette, SafeZone
from generation.compositor.backdrops import Colors
from generation.compositor.blocks import Label, Painter
from generation.compositor.layouts import frame_for

LABEL_TEXTS = {"zh": "AI生成", "en": "AI-generated"}
# Painter needs a palette for the inks of copy; the label chooses its own black or white.
_NEUTRAL = Palette("#111111", "#EEEEEE", "#111111", "#FFFFFF", "#111111")


def label_text_for(language: str) -> str:
    return LABEL_TEXTS.get(language, LABEL_TEXTS["zh"])


def flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency is laid over white, as a page shows it."""
    if image.mode == "RGB":
        return image.copy()
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def draw_label(image: Image.Image, text: str) -> Image.Image:
    """A copy of `image` (as RGB) with the label pill in its top-right corner."""
    canvas = flatten(image)
    frame = frame_for(canvas.width, canvas.height, SafeZone(), label_text=text)
    label = Label(frame.label_face, frame.label_text, frame.label, frame.label_text_width)
    label.draw(Painter(canvas, Colors.of(_NEUTRAL)))
    return canvas
