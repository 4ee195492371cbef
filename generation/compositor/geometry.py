"""Integer pixel boxes."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Box:
    """A rectangle: left and top inclusive, right and bottom exclusive (Pillow's convention)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def center_y(self) -> float:
        return (self.y0 + self.y1) / 2

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)

    def is_empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    def intersects(self, other: "Box") -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def contains(self, other: "Box") -> bool:
        return (
            self.x0 <= other.x0
            and self.y0 <= other.y0
            and other.x1 <= self.x1
            and other.y1 <= self.y1
        )

    def inset(
        self, left: int, top: int | None = None, right: int | None = None, bottom: int | None = None
    ) -> "Box":
        top = left if top is None else top
        right = left if right is None else right
        bottom = top if bottom is None else bottom
        return Box(self.x0 + left, self.y0 + top, self.x1 - right, self.y1 - bottom)

    def with_(
        self,
        *,
        x0: int | None = None,
        y0: int | None = None,
        x1: int | None = None,
        y1: int | None = None,
    ) -> "Box":
        return Box(
            self.x0 if x0 is None else x0,
            self.y0 if y0 is None else y0,
            self.x1 if x1 is None else x1,
            self.y1 if y1 is None else y1,
        )

    def union(self, other: "Box") -> "Box":
        return Box(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def translate(self, dx: int, dy: int) -> "Box":
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


def box_at(x: float, y: float, width: float, height: float) -> Box:
    left, top = round(x), round(y)
    return Box(left, top, left + round(width), top + round(height))
