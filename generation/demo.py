"""The demo brand's kit and catalog, with product photos drawn here (no files to ship)."""

from dataclasses import replace
from decimal import Decimal
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

from compliance.prices import price_history_backdate
from generation import brand_kits, catalog
from generation.images import image_intake
from generation.models import Product
from tenants.models import Tenant

DEMO_PALETTE = {
    "primary": "#B4536A",
    "secondary": "#F4D6DC",
    "accent": "#2F6F6A",
    "background": "#FFF6F3",
    "text": "#2B2330",
}

DEMO_PRODUCTS = [
    {
        "sku": "LM-HA-30",
        "title": "玻尿酸补水精华液 30ml",
        "category": "护肤 / 精华",
        "description": "三重玻尿酸深层补水，质地清透不黏腻，敏感肌可用。",
        "price": Decimal("199.00"),
        "reference_price": Decimal("299.00"),
        "reference_price_basis": "前30日最低价",
        "sold_before_at": Decimal("299.00"),  # the month before today's promotion
        "attributes": {"容量": "30ml", "核心成分": "玻尿酸", "适用肤质": "所有肤质"},
        "shape": "dropper",
        "colour": (236, 196, 205),
    },
    {
        "sku": "LM-NIA-10",
        "title": "烟酰胺焕亮面膜 10片装",
        "category": "护肤 / 面膜",
        "description": "5%烟酰胺，提亮肤色，每片精华液25ml。",
        "price": Decimal("129.00"),
        "attributes": {"规格": "10片", "核心成分": "烟酰胺"},
        "shape": "jar",
        "colour": (206, 226, 222),
    },
    {
        "sku": "LM-AA-120",
        "title": "氨基酸温和洁面乳 120g",
        "category": "护肤 / 洁面",
        "description": "氨基酸表活，温和清洁不紧绷。",
        "price": Decimal("89.00"),
        "attributes": {"净含量": "120g", "核心成分": "氨基酸"},
        "shape": "tube",
        "colour": (250, 236, 214),
    },
]


def product_cut_out(shape: str, colour: tuple[int, int, int], size: int = 900) -> bytes:
    """A simple, soft-shaded product on a transparent canvas, as a PNG."""
    scale = 4  # draw large and shrink: smooth edges without an anti-aliasing library
    canvas = Image.new("RGBA", (size * scale // 2, size * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    body = (*colour, 255)
    dark = (*(max(0, c - 60) for c in colour), 255)
    if shape == "jar":
        draw.rounded_rectangle((w * 0.08, h * 0.42, w * 0.92, h * 0.95), radius=w * 0.12, fill=body)
        draw.rounded_rectangle((w * 0.12, h * 0.30, w * 0.88, h * 0.44), radius=w * 0.05, fill=dark)
    elif shape == "tube":
        outline = [(w * 0.2, h * 0.08), (w * 0.8, h * 0.08), (w * 0.7, h * 0.8), (w * 0.3, h * 0.8)]
        draw.polygon(outline, fill=body)
        draw.rounded_rectangle((w * 0.3, h * 0.78, w * 0.7, h * 0.96), radius=w * 0.04, fill=dark)
    else:  # dropper bottle
        draw.rounded_rectangle((w * 0.12, h * 0.34, w * 0.88, h * 0.96), radius=w * 0.16, fill=body)
        draw.rectangle((w * 0.36, h * 0.22, w * 0.64, h * 0.36), fill=dark)
        draw.ellipse((w * 0.30, h * 0.02, w * 0.70, h * 0.26), fill=dark)
    label = (
        (w * 0.3, h * 0.3, w * 0.7, h * 0.55)
        if shape == "tube"
        else (w * 0.22, h * 0.58, w * 0.78, h * 0.8)
    )
    draw.rounded_rectangle(label, radius=w * 0.04, fill=(255, 255, 255, 235))
    # A white highlight whose alpha (not colour) is blurred: no dark fringe from transparent black.
    shine = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shine).rounded_rectangle(
        (w * 0.16, h * 0.42, w * 0.24, h * 0.90), radius=w * 0.04, fill=110
    )
    highlight = Image.new("RGBA", canvas.size, (255, 255, 255, 0))
    highlight.putalpha(shine.filter(ImageFilter.GaussianBlur(w * 0.02)))
    alpha = canvas.getchannel("A")
    canvas = Image.alpha_composite(canvas, highlight)
    canvas.putalpha(alpha)
    out = BytesIO()
    canvas.resize((size // 2, size), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def _product_with_a_month_of_prices(
    *, tenant: Tenant, fields: catalog.ProductFields, sold_before_at: object
) -> Product:
    """The demo catalog has sold for a month, so the ad-law price check can verify its
    crossed-out prices: the serum sold at 299 until today's promotion at 199."""
    opening = fields
    if isinstance(sold_before_at, Decimal):
        opening = replace(
            fields, price=sold_before_at, reference_price=None, reference_price_basis=""
        )
    product = catalog.product_create(tenant=tenant, user=None, fields=opening)
    price_history_backdate(product=product, days=30)
    if opening is not fields:
        product = catalog.product_update(
            tenant=tenant, user=None, product_id=product.pk, fields=fields
        )
    return product


def demo_catalog_seed(*, tenant: Tenant) -> list[Product]:
    """Give the demo brand its kit and three products with photos; safe to run repeatedly."""
    kit = brand_kits.brand_kit_current(tenant=tenant)
    if kit.palette != DEMO_PALETTE:
        brand_kits.brand_kit_update(
            tenant=tenant,
            user=None,
            changes=brand_kits.BrandKitChanges(
                palette=DEMO_PALETTE,
                tone_of_voice="温柔、专业、不夸张；像懂成分的闺蜜",
                banned_words=["国家级", "最佳", "第一"],
            ),
        )
    products = []
    for spec in DEMO_PRODUCTS:
        existing = Product.objects.filter(tenant=tenant, sku=spec["sku"]).first()
        if existing is not None:
            products.append(existing)
            continue
        fields = catalog.ProductFields(
            **{k: v for k, v in spec.items() if k not in ("shape", "colour", "sold_before_at")}  # type: ignore[arg-type]
        )
        product = _product_with_a_month_of_prices(
            tenant=tenant, fields=fields, sold_before_at=spec.get("sold_before_at")
        )
        photo = product_cut_out(str(spec["shape"]), spec["colour"])  # type: ignore[arg-type]
        catalog.product_photo_add(
            tenant=tenant,
            user=None,
            product_id=product.pk,
            image=image_intake(photo, purpose="product"),
        )
        products.append(product)
    return products
