"""Output channels: named presets with their pixel size and the zones text must stay out of."""

import re
from dataclasses import dataclass

from generation.backends.image.base import SafeZone

CUSTOM_MIN_SIDE = 256
CUSTOM_MAX_SIDE = 4096
_CUSTOM = re.compile(r"^custom_(\d{2,5})x(\d{2,5})$")


@dataclass(frozen=True)
class Channel:
    name: str
    label: str
    width: int
    height: int
    safe_zone: SafeZone


# The live-stream zones keep copy clear of what Douyin/Taobao Live draw over the stream: the host
# avatar and viewer count at the top, the like/gift column on the right, and the comment feed,
# shopping bag and input bar across the bottom third.
PRESETS: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        Channel(
            "live_1080x1920",
            "直播间 Live stream 1080×1920",
            1080,
            1920,
            SafeZone(top=220, right=150, bottom=520, left=48),
        ),
        Channel("main_800x800", "主图 Main image 800×800", 800, 800, SafeZone(32, 32, 32, 32)),
        Channel("banner_1200x628", "横幅 Banner 1200×628", 1200, 628, SafeZone(32, 40, 32, 40)),
        Channel(
            "xiaohongshu_1080x1440",
            "小红书 Xiaohongshu 1080×1440",
            1080,
            1440,
            SafeZone(top=48, right=48, bottom=96, left=48),
        ),
    )
}


class UnknownChannel(ValueError):
    pass


def channel_get(name: str) -> Channel:
    """A preset by name, or `custom_WxH` with both sides within the allowed range."""
    if name in PRESETS:
        return PRESETS[name]
    match = _CUSTOM.match(name)
    if not match:
        known = ", ".join([*PRESETS, "custom_WxH"])
        raise UnknownChannel(f"Unknown channel {name!r}; use one of {known}.")
    width, height = int(match[1]), int(match[2])
    for side in (width, height):
        if not CUSTOM_MIN_SIDE <= side <= CUSTOM_MAX_SIDE:
            raise UnknownChannel(
                f"Channel {name!r}: each side must be {CUSTOM_MIN_SIDE} to {CUSTOM_MAX_SIDE} px."
            )
    margin = round(min(width, height) * 0.04)
    return Channel(name, f"Custom {width}×{height}", width, height, SafeZone(*(margin,) * 4))
