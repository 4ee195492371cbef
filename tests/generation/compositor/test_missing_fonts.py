from dataclasses import replace
from pathlib import Path

import pytest

from generation.backends.image.base import ImageBackendError
from generation.backends.image.compositor import CompositorBackend
from generation.compositor.fonts import (
    DEFAULT_FONT_PATHS,
    FontFile,
    FontsMissing,
    check_fonts,
    require_fonts,
)
from tests.generation.compositor.samples import spec_for


def test_the_installed_fonts_pass_the_check():
    assert check_fonts() == []


@pytest.mark.parametrize("role", ["sans_bold", "serif_regular", "fallback_regular", "emoji"])
def test_a_missing_font_is_named_in_the_check(tmp_path, role):
    absent = tmp_path / "gone" / "Font.ttc"
    paths = replace(DEFAULT_FONT_PATHS, **{role: FontFile(absent, 2)})

    problems = check_fonts(paths)

    assert len(problems) == 1
    assert str(absent) in problems[0] and "make fonts" in problems[0]


def test_a_file_that_is_not_a_font_is_reported(tmp_path):
    bogus = tmp_path / "NotoSansCJK-Regular.ttc"
    bogus.write_bytes(b"not a font at all")
    paths = replace(DEFAULT_FONT_PATHS, sans_regular=FontFile(bogus, 2))

    problems = check_fonts(paths)

    assert len(problems) == 1 and "cannot be loaded" in problems[0]


def test_rendering_without_a_font_raises_instead_of_drawing_a_blank_poster(tmp_path):
    paths = replace(DEFAULT_FONT_PATHS, sans_bold=FontFile(Path(tmp_path / "missing.ttc"), 2))

    with pytest.raises(ImageBackendError, match=r"missing\.ttc") as caught:
        CompositorBackend(font_paths=paths).render(spec_for("main_800x800"))

    assert caught.value.retryable is False
    with pytest.raises(FontsMissing):
        require_fonts(paths)
