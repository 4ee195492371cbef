"""compare_images: one JSON line for two images; one sentence and a non-zero exit for bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from tests.commands import manage
from tests.library.pictures import cropped, picture


def compare(first: Path, second: Path) -> dict:
    stdout = io.StringIO()
    call_command("compare_images", str(first), str(second), stdout=stdout)
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


@pytest.fixture
def photos(tmp_path):
    original = picture(5, size=(640, 480))
    paths = {
        "original": tmp_path / "original.png",
        "copy": tmp_path / "copy.jpg",
        "cropped": tmp_path / "cropped.png",
        "other": tmp_path / "other.webp",
    }
    original.save(paths["original"])
    original.save(paths["copy"], quality=70)
    cropped(original, 0.05).save(paths["cropped"])
    picture(6, size=(640, 480), colour=(200, 60, 40)).save(paths["other"])
    return paths


def test_a_reencoded_and_a_cropped_copy_are_duplicates(photos):
    assert compare(photos["original"], photos["copy"])["duplicate"] is True
    result = compare(photos["original"], photos["cropped"])
    assert result["duplicate"] is True
    assert isinstance(result["distance"], int)


def test_different_pictures_are_not_and_the_order_does_not_matter(photos):
    forward = compare(photos["original"], photos["other"])
    backward = compare(photos["other"], photos["original"])

    assert forward == backward
    assert forward["duplicate"] is False
    assert forward["distance"] > 31


def test_missing_and_non_image_files_are_refused_with_one_sentence(tmp_path, photos):
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")

    with pytest.raises(CommandError, match=r"^Cannot read .*missing\.png: "):
        compare(tmp_path / "missing.png", photos["original"])
    with pytest.raises(CommandError, match="not a PNG, JPEG or WebP image"):
        compare(photos["original"], text)


def test_the_command_exits_zero_with_json_and_non_zero_without_a_traceback(tmp_path, photos):
    good = manage("compare_images", str(photos["original"]), str(photos["copy"]))
    assert good.returncode == 0, good.stderr
    output = json.loads(good.stdout)
    assert set(output) == {"distance", "duplicate"}
    assert output["duplicate"] is True

    huge = tmp_path / "huge.png"
    # 400 megapixels: refused from the header, before any pixel is decoded.
    Image.new("1", (20_000, 20_000)).save(huge)
    bad = manage("compare_images", str(photos["original"]), str(huge))
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
    assert "megapixels" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
