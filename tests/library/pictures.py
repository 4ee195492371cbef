"""Library-like pictures drawn with Pillow: distinct per seed, in a chosen main colour."""

import io
import random
import zipfile

from PIL import Image, ImageDraw


def picture(seed: int = 0, *, size=(640, 480), colour=(40, 90, 200)) -> Image.Image:
    """A flat backdrop in `colour` with a few shapes placed by the seed (a prop shot, a banner)."""
    rng = random.Random(seed)  # noqa: S311 - a drawing, not a secret
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(6):
        x, y = rng.randrange(width - 120), rng.randrange(height - 120)
        w, h = rng.randrange(60, 200), rng.randrange(60, 200)
        fill = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=fill)
        else:
            draw.rectangle((x, y, x + w, y + h), fill=fill)
    return image


def encoded(image: Image.Image, pillow_format: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def cropped(image: Image.Image, fraction: float) -> Image.Image:
    """The picture with `fraction` cut from its right edge."""
    return image.crop((0, 0, round(image.width * (1 - fraction)), image.height))


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
