"""The built-in offline image backend: posters composed with Pillow from templates.

Deterministic: the same spec gives the same bytes on a machine with the same Pillow and fonts
(no clock, no unseeded randomness; Pillow's basic text layout rather than Raqm, whose
availability varies between machines).
"""

from generation.backends.image.base import (
    ImageBackendError,
    OutputFormat,
    RenderedImage,
    RenderSpec,
)
from generation.compositor.fonts import DEFAULT_FONT_PATHS, FontPaths
from generation.compositor.layouts import layout_names
from generation.compositor.poster import compose


class CompositorBackend:
    name = "compositor"
    version = "1.1.0"  # bump whenever the pixels for a given spec change
    is_hosted = False

    def __init__(self, *, font_paths: FontPaths = DEFAULT_FONT_PATHS) -> None:
        self.font_paths = font_paths

    def layouts(self, *, width: int, height: int) -> list[str]:
        return layout_names(width=width, height=height)

    def render(self, spec: RenderSpec) -> RenderedImage:
        """The poster for `spec`. Raises ImageBackendError(retryable=False) for input that
        cannot render (corrupt images, unknown layout, missing fonts, out-of-range size)."""
        try:
            output_format = OutputFormat(spec.output_format)
        except ValueError:
            raise ImageBackendError(
                f"Unknown output format {spec.output_format!r}.", retryable=False
            ) from None
        image, plan, timings = compose(spec, paths=self.font_paths)
        return RenderedImage(
            image=image, output_format=output_format, layout=plan.layout, timings_ms=timings
        )
