"""What the library knows about an image for search: tags, a caption, colours, a text document.

Tags come from the file name, the tags a member gave and the product the image belongs to;
the caption is the member's, or else made from the product and the kind. Everything readable
goes into `search_document` as jieba lexemes (library.search_text), which full-text search and
trigram search read.
"""

import re
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from typing import Any

from django.utils import translation
from PIL import Image

from generation.models import Asset, Product
from library import colours, search_text

MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def clean_tags(values: Sequence[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated tags in their given order, at most MAX_TAGS."""
    seen: list[str] = []
    for value in values:
        tag = " ".join(str(value).split()).lower()[:MAX_TAG_LENGTH]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def tags_from_text(text: str) -> list[str]:
    """Comma-separated tags (full-width commas and 、 too, as Chinese keyboards type them)."""
    return clean_tags([part for part in re.split(r"[,，、]", text) if part.strip()])


def swatches(image: Image.Image) -> list[dict[str, Any]]:
    """The dominant colours as stored on Asset.colours (hex, share, lab), largest first."""
    return [
        {
            **asdict(swatch),
            "share": round(swatch.share, 4),
            "lab": [round(v, 2) for v in swatch.lab],
        }
        for swatch in colours.dominant_colours(image)
    ]


@cache  # every poster asks; the catalogs do not change while a process runs
def _kind_words(kind: str) -> tuple[str, ...]:
    """The kind's name in both languages, so that "背景" and "background" both find it."""
    label = Asset.Kind(kind).label
    words = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            words.append(str(label))
    return tuple(words)


def describe(
    asset: Asset, *, name: str = "", tags: Sequence[str] = (), caption: str = "",
    product: Product | None = None, extra_text: str = "",
) -> None:  # fmt: skip
    """Fill the asset's name, tags, caption, product and search document (not saved)."""
    asset.name = name[:200]
    asset.product = product
    from_product = [product.title, product.category] if product else []
    asset.tags = clean_tags([*tags, *search_text.tags_from_filename(name), *from_product])
    if caption:
        asset.caption = caption[:500]
    elif not asset.caption:
        asset.caption = " · ".join(
            part for part in (product.title if product else "", str(Asset.Kind(asset.kind).label))
            if part
        )  # fmt: skip
    asset.search_document = search_text.search_document(
        name.rsplit(".", 1)[0],
        " ".join(asset.tags),
        asset.caption,
        product.sku if product else "",
        " ".join(_kind_words(asset.kind)),
        extra_text,
    )
