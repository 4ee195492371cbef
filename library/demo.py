"""The demo brand's library: a few backgrounds and props drawn here, and a do-not-reuse bank."""

import io

from PIL import Image, ImageDraw, ImageFilter

from generation import storage
from generation.models import Asset, Product, ProductPhoto
from library import ingest, services
from library.models import Bank
from tenants.models import Tenant

# (file name, kind, tags, top colour, bottom colour)
_BACKDROPS = (
    (
        "夏季海边-背景.jpg",
        Asset.Kind.BACKGROUND,
        ["夏季", "海边"],
        (126, 200, 227),
        (246, 226, 179),
    ),
    ("樱花粉-背景.jpg", Asset.Kind.BACKGROUND, ["春季", "樱花"], (250, 214, 224), (255, 244, 246)),
    ("大理石台面-道具.jpg", Asset.Kind.PROP, ["台面", "质感"], (236, 233, 228), (196, 190, 182)),
    ("森林绿-背景.jpg", Asset.Kind.BACKGROUND, ["自然", "绿色"], (54, 98, 72), (160, 196, 150)),
)


def _backdrop(top: tuple[int, int, int], bottom: tuple[int, int, int], seed: int) -> bytes:
    """A soft vertical gradient with a few blurred light shapes, as a JPEG."""
    width, height = 1080, 1440
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    shapes = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shape_draw = ImageDraw.Draw(shapes)
    for i in range(3):
        x = (seed * 197 + i * 331) % (width - 300)
        y = (seed * 89 + i * 421) % (height - 300)
        shape_draw.ellipse((x, y, x + 260 + i * 40, y + 260 + i * 40), fill=(255, 255, 255, 70))
    image.paste(
        shapes.filter(ImageFilter.GaussianBlur(40)),
        (0, 0),
        shapes.filter(ImageFilter.GaussianBlur(40)),
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def demo_library_seed(*, tenant: Tenant, products: list[Product]) -> int:
    """Add the demo backgrounds, the products' cut-outs and a competitor bank; safe to repeat
    (the same drawings are found, not stored again). Returns the library's image count."""
    for seed, (name, kind, tags, top, bottom) in enumerate(_BACKDROPS):
        ingest.library_image_add(
            tenant_id=tenant.pk, data=_backdrop(top, bottom, seed), name=name, kind=kind, tags=tags
        )
    for product in products:
        photo = ProductPhoto.objects.filter(tenant=tenant, product=product).order_by("pk").first()
        if photo is not None:
            ingest.library_image_add(
                tenant_id=tenant.pk, data=storage.read_bytes(photo.file.name or ""),
                name=f"{product.sku}-抠图.png", kind=Asset.Kind.PRODUCT, tags=["抠图"],
                product=product,
            )  # fmt: skip
    if not Bank.objects.filter(tenant=tenant, name="竞品素材").exists():
        bank = services.bank_create(
            tenant=tenant, actor=None, name="竞品素材",
            description="Competitors' slogans and creatives we never come near.",
        )  # fmt: skip
        services.bank_entry_add(
            tenant=tenant, actor=None, bank=bank, text="全网最低价，错过再等一年",
            note="A rival's 618 slogan",
        )  # fmt: skip
    return Asset.objects.filter(tenant=tenant, origin=Asset.Origin.UPLOADED).count()
