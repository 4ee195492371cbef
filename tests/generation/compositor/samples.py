"""Procedural sample inputs for compositor tests and the gallery: product cut-outs, a product
photo, a logo and a background photo, drawn with Pillow so no binary fixtures are needed."""

import io
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from generation.backends.image.base import Palette, PriceTag, RenderSpec, SafeZone
from generation.backends.text.base import Copy
from generation.channels import channel_get

PALETTES = {
    "rose": Palette("#C2185B", "#F8BBD0", "#FF7043", "#FFF5F7", "#2D1B22"),
    "forest": Palette("#2E7D32", "#A5D6A7", "#F9A825", "#F4F8F1", "#1B2A1C"),
    "night": Palette("#FFD54F", "#5C6BC0", "#FF4081", "#141826", "#F5F5F5"),
    "ocean": Palette("#0D47A1", "#90CAF9", "#FF6F00", "#F3F8FD", "#0B1B2E"),
}

COPY_ZH = Copy(
    headline="水光焕亮精华 28天见证透亮肌",
    subheadline="烟酰胺+玻尿酸双效配方，温和不刺激",
    bullets=("5%烟酰胺提亮肤色", "三重玻尿酸深层补水", "敏感肌实测温和", "30ml 便携装"),
    cta="立即抢购",
    host_line="",
    social_post="",
)
COPY_EN = Copy(
    headline="Glow that lasts from 9 to 5",
    subheadline="Niacinamide + hyaluronic acid, gentle on sensitive skin",
    bullets=("Brightens in 28 days", "Triple hyaluronic hydration", "Dermatologist tested"),
    cta="Shop now",
    host_line="",
    social_post="",
)
COPY_EMOJI = Copy(
    headline="限时✨Sale 夏日清爽防晒🌞",
    subheadline="SPF50+ PA++++，轻薄不黏腻～",
    bullets=("🏖️ 海边暴晒不怕", "💧 水润质地秒吸收", "✓ 通过SGS检测", "🎁 买一送一"),
    cta="马上抢 🛒",
    host_line="",
    social_post="",
)
COPY_LONG = Copy(
    headline="「夏日限定」全新升级第三代水光焕亮精华液，二十八天见证透亮好肌肤！",
    subheadline="烟酰胺、玻尿酸、积雪草三效合一，温和配方敏感肌也能放心使用，早晚都可以用",
    bullets=(
        "5%高浓度烟酰胺提亮肤色淡化痘印",
        "三重玻尿酸由内而外深层补水锁水",
        "敏感肌人群实测温和无刺激",
        "30ml 便携装出差旅行都方便",
        "官方正品保障支持七天无理由退换",
    ),
    cta="立即抢购",
    host_line="",
    social_post="",
)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def bottle(color: tuple[int, int, int] = (233, 120, 150)) -> Image.Image:
    """A serum bottle with a dropper cap on a transparent canvas (RGBA)."""
    scale = 2
    width, height = 360 * scale, 900 * scale
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    body = (40 * scale, 300 * scale, 320 * scale, 880 * scale)
    draw.rounded_rectangle(body, radius=60 * scale, fill=(*color, 255))
    # Shading: a darker right edge and a highlight stripe on the left.
    shade = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shade).rounded_rectangle(
        (220 * scale, 300 * scale, 320 * scale, 880 * scale), radius=60 * scale, fill=90
    )
    shade = shade.filter(ImageFilter.GaussianBlur(30 * scale))
    dark = Image.new("RGBA", (width, height), (40, 10, 20, 255))
    image = Image.composite(dark, image, Image.merge("L", [shade]).point(lambda v: v // 2))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (80 * scale, 360 * scale, 105 * scale, 820 * scale),
        radius=12 * scale,
        fill=(255, 255, 255, 120),
    )
    draw.rounded_rectangle(
        (75 * scale, 520 * scale, 285 * scale, 720 * scale),
        radius=12 * scale,
        fill=(255, 250, 245, 235),
    )
    draw.rectangle((110 * scale, 580 * scale, 250 * scale, 596 * scale), fill=(*color, 255))
    draw.rectangle((130 * scale, 620 * scale, 230 * scale, 630 * scale), fill=(150, 150, 150, 255))
    draw.rounded_rectangle(
        (120 * scale, 200 * scale, 240 * scale, 310 * scale),
        radius=14 * scale,
        fill=(40, 40, 46, 255),
    )
    draw.rounded_rectangle(
        (150 * scale, 30 * scale, 210 * scale, 210 * scale),
        radius=30 * scale,
        fill=(30, 30, 34, 255),
    )
    body_mask = image.getchannel("A")
    return (
        image.resize((width // scale, height // scale), Image.Resampling.LANCZOS)
        if body_mask
        else image
    )


def jar() -> Image.Image:
    """A wide cream jar (RGBA): a product wider than it is tall."""
    width, height = 900, 560
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 170, 840, 540), radius=70, fill=(250, 246, 240, 255))
    draw.rounded_rectangle((40, 40, 860, 200), radius=40, fill=(196, 160, 110, 255))
    draw.rectangle((60, 120, 840, 132), fill=(230, 205, 160, 255))
    draw.rounded_rectangle((260, 300, 640, 420), radius=16, fill=(46, 125, 50, 255))
    return image


def cutout_png(kind: str = "bottle") -> bytes:
    return _png(bottle() if kind == "bottle" else jar())


def product_photo_jpeg() -> bytes:
    """An opaque product photo: the bottle on a studio backdrop."""
    width, height = 900, 1100
    photo = Image.linear_gradient("L").resize((width, height)).point(lambda v: 200 + v // 5)
    image = Image.merge("RGB", [photo, photo.point(lambda v: v - 6), photo.point(lambda v: v - 14)])
    item = bottle((120, 170, 220))
    item = item.resize((item.width * 1000 // item.height, 1000))
    image.paste(item, ((width - item.width) // 2, 60), item)
    return _jpeg(image)


def logo_png(text: str = "LM") -> bytes:
    image = Image.new("RGBA", (420, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 140, 140), fill=(194, 24, 91, 255))
    draw.ellipse((35, 35, 105, 105), fill=(255, 255, 255, 255))
    draw.rounded_rectangle((170, 40, 410, 100), radius=30, fill=(45, 27, 34, 255))
    return _png(image)


def background_photo_jpeg() -> bytes:
    width, height = 1200, 1600
    base = Image.radial_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        [
            base.point(lambda v: 255 - v // 2),
            base.point(lambda v: 180 - v // 3),
            base.point(lambda v: 120 + v // 3),
        ],
    )
    draw = ImageDraw.Draw(image)
    for index in range(14):
        x, y = (index * 397) % width, (index * 631) % height
        radius = 40 + (index * 37) % 120
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=(255, 230 - index * 5, 200)
        )
    return _jpeg(image.filter(ImageFilter.GaussianBlur(18)))


PLAIN_PRICE = PriceTag(Decimal("199"))


def spec_for(
    channel: str,
    *,
    copy: Copy = COPY_ZH,
    layout: str = "",
    seed: int = 0,
    palette: str = "rose",
    product: bytes | None = None,
    logo: bytes | None = None,
    background: bytes | None = None,
    price: PriceTag | None = PLAIN_PRICE,
    family: str = "sans",
    output_format: str = "jpeg",
) -> RenderSpec:
    preset = channel_get(channel)
    return RenderSpec(
        width=preset.width,
        height=preset.height,
        channel=channel,
        layout=layout,
        copy=copy,
        palette=PALETTES[palette],
        brand_name="LUMIÈRE 光研",
        seed=seed,
        font_family=family,
        safe_zone=preset.safe_zone,
        product_image=product,
        logo_image=logo,
        background_image=background,
        price=price,
        output_format=output_format,  # type: ignore[arg-type]
    )


REFERENCE_PRICE = PriceTag(
    Decimal("199"), reference_price=Decimal("299"), reference_basis="前30日最低价"
)
SAFE_ZONE_NONE = SafeZone()
