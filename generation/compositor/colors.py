"""Colour arithmetic for palettes: parsing, mixing and WCAG contrast."""

from functools import cache

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
INK: RGB = (20, 20, 24)  # near-black reads softer than #000 on tinted backgrounds


@cache
def parse_hex(value: str) -> RGB:
    """ "#RRGGBB" or "#RGB" to a tuple; anything else is a ValueError naming the value."""
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        raise ValueError(f"{value!r} is not a #RRGGBB colour")
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except ValueError:
        raise ValueError(f"{value!r} is not a #RRGGBB colour") from None


def mix(a: RGB, b: RGB, amount: float) -> RGB:
    """`amount` of b over a (0 gives a, 1 gives b)."""
    return (
        round(a[0] + (b[0] - a[0]) * amount),
        round(a[1] + (b[1] - a[1]) * amount),
        round(a[2] + (b[2] - a[2]) * amount),
    )


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: RGB) -> float:
    return 0.2126 * _channel(color[0]) + 0.7152 * _channel(color[1]) + 0.0722 * _channel(color[2])


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(color: RGB) -> bool:
    return contrast(color, WHITE) >= contrast(color, INK)


def readable_on(background: RGB, *preferred: RGB, minimum: float = 4.5) -> RGB:
    """The first preferred colour that reaches `minimum` contrast, else ink or white."""
    for color in preferred:
        if contrast(color, background) >= minimum:
            return color
    return WHITE if is_dark(background) else INK


def with_alpha(color: RGB, alpha: int) -> tuple[int, int, int, int]:
    return (color[0], color[1], color[2], alpha)
