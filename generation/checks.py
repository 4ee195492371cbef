"""System check: the compositor's fonts are installed, so no poster is ever rendered blank."""

from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def compositor_fonts_are_installed(app_configs: Any = None, **_: Any) -> list[CheckMessage]:
    from generation.compositor.fonts import check_fonts

    return [Error(problem, id="generation.E001") for problem in check_fonts()]
