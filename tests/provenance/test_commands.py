"""label_image and verify_image: what they write and print, and how they refuse bad input."""

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from PIL import Image, ImageChops, ImageDraw, ImageStat

from generation import storage
from generation.models import Render
from provenance import c2pa_manifest, metadata
from provenance.metadata import AigcLabel
from tenants.context import tenant_scope
from tests.commands import manage
from tests.compliance.factories import CLEAN_SCRIPT, rendered
from tests.tenants.factories import TenantFactory

from .test_c2pa_manifest import make_chain

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ASSET_ID = 987_654_321
FORMATS = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def picture(size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture made elsewhere: a soft gradient with a few flat shapes, like a product shot."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(image, Image.new("RGB", size, "#7FA7C9"), 0.6)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 8, height // 4, width // 2, height * 3 // 4), fill="#E8C39E")
    draw.rectangle((width * 5 // 8, height // 2, width * 7 // 8, height * 7 // 8), fill="#3B5B3F")
    return image


def write(path: Path, image: Image.Image, pillow_format: str) -> Path:
    image.save(path, pillow_format)
    return path


def label(source: Path, target: Path, *args: str) -> dict:
    stdout = io.StringIO()
    call_command("label_image", str(source), str(target), *args, stdout=stdout)
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


def verify(path: Path) -> dict:
    stdout = io.StringIO()
    call_command("verify_image", str(path), stdout=stdout)
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


def refused(command: str, *args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command(command, *args, stdout=io.StringIO())
    return str(error.value)


def encode(image: Image.Image, pillow_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **params)
    return buffer.getvalue()


@pytest.fixture
def c2pa_chain(tmp_path: Path, settings):
    out = tmp_path / "c2pa"
    make_chain(out)
    settings.APP_C2PA_CERT_CHAIN = str(out / "chain.pem")
    settings.APP_C2PA_PRIVATE_KEY = str(out / "leaf.key")
    settings.APP_C2PA_TRUST_ANCHORS = str(out / "root.pem")
    c2pa_manifest.reset_signer_cache()
    yield out
    c2pa_manifest.reset_signer_cache()


# LABEL_IMAGE --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source_format", "suffix"), [("JPEG", ".png"), ("PNG", ".webp"), ("WEBP", ".jpg")]
)
def test_a_labelled_file_carries_every_mark_and_verifies(tmp_path, source_format, suffix):
    source = write(tmp_path / "in.img", picture(), source_format)
    target = tmp_path / f"out{suffix}"

    printed = label(source, target, "--asset-id", str(ASSET_ID))

    with Image.open(target) as written:
        assert (written.format, written.size) == (FORMATS[suffix], (640, 480))
    assert printed["output"] == str(target)
    assert printed["content_type"] == f"image/{FORMATS[suffix].lower()}"
    assert printed["bytes"] == target.stat().st_size
    assert printed["visible_label"] == "AI生成"
    assert printed["watermark"] == {
        "installation_id": settings.APP_WATERMARK_INSTALLATION_ID,
        "asset_id": ASSET_ID,
    }
    assert printed["aigc"]["ProduceID"] == str(ASSET_ID)
    assert printed["c2pa"] is False
    report = verify(target)
    assert report["watermark"]["found"] is True
    assert report["watermark"]["ours"] is True
    assert report["watermark"]["asset_id"] == ASSET_ID
    label_read = report["ai_label"]["metadata"]
    assert label_read["label"]["ProduceID"] == str(ASSET_ID)
    assert label_read["label"]["ContentProducer"] == settings.APP_AIGC_PROVIDER_CODE
    assert label_read["seal_valid"] is True
    assert report["c2pa"] is None
    # No asset of this installation has that id: the file is ours by its marks, not by a row.
    assert (report["generated_by_us"], report["labelled_by_us"], report["asset"]) == (
        False, False, None,
    )  # fmt: skip


def test_the_visible_label_is_drawn_in_the_top_right_corner_only(tmp_path):
    source = write(tmp_path / "in.png", picture(), "PNG")
    target = tmp_path / "out.png"

    label(source, target, "--asset-id", "7", "--language", "en")

    before = picture().convert("L")
    with Image.open(target) as written:
        difference = ImageChops.difference(before, written.convert("L"))
    corner, rest = (480, 0, 640, 120), (0, 160, 640, 480)
    changed = [ImageStat.Stat(difference.crop(box)).mean[0] for box in (corner, rest)]
    assert changed[0] > 10  # the pill and its text
    assert changed[1] < 3  # the watermark's ±2 grey levels only


def test_an_english_label_says_ai_generated(tmp_path):
    source = write(tmp_path / "in.jpg", picture(), "JPEG")

    printed = label(source, tmp_path / "out.jpg", "--asset-id", "12", "--language", "en")

    assert printed["visible_label"] == "AI-generated"


@pytest.mark.django_db
def test_with_a_signing_chain_the_labelled_file_has_a_trusted_manifest(tmp_path, c2pa_chain):
    source = write(tmp_path / "in.png", picture(), "PNG")
    target = tmp_path / "out.jpg"

    printed = label(source, target, "--asset-id", str(ASSET_ID))

    assert printed["c2pa"] is True
    manifest = verify(target)["c2pa"]
    assert manifest["asset_id"] == ASSET_ID
    assert manifest["validation"] == {"state": "trusted", "errors": []}
    assert manifest["claim_generator"].startswith("Brandloom/1.0")


def truncated_jpeg(tmp_path: Path) -> Path:
    data = encode(picture(), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make_source", "target_name", "extra", "message"),
    [
        (lambda d: d / "missing.png", "out.png", [], "Cannot read"),
        (lambda d: (d / "notes.png").write_text("not an image") and d / "notes.png", "out.png",
         [], "notes.png: "),
        (truncated_jpeg, "out.png", [], "cut.jpg: "),
        (lambda d: write(d / "small.png", picture((200, 200)), "PNG"), "out.png", [],
         "at least 256 pixels"),
        (lambda d: write(d / "in.png", picture(), "PNG"), "out.gif", [],
         "must end in .jpg, .jpeg, .png or .webp"),
        (lambda d: write(d / "in.png", picture(), "PNG"), "no/such/folder/out.png", [],
         "does not exist"),
        (lambda d: write(d / "in.png", picture(), "PNG"), "out.png", ["--asset-id", "0"],
         "--asset-id must be between 1 and 2^40"),
        (lambda d: write(d / "in.png", picture(), "PNG"), "out.png",
         ["--asset-id", str(2**40)], "--asset-id must be between 1 and 2^40"),
    ],
    ids=["missing", "not-an-image", "truncated", "too-small", "bad-extension", "no-folder",
         "asset-id-0", "asset-id-too-large"],
)  # fmt: skip
def test_label_image_refuses_bad_input_with_one_sentence(
    tmp_path, make_source, target_name, extra, message
):
    source = make_source(tmp_path)
    target = tmp_path / target_name

    error = refused("label_image", str(source), str(target), *(extra or ["--asset-id", "5"]))

    assert message in error
    assert "Traceback" not in error
    assert len(error.splitlines()) == 1
    assert not target.exists()


def test_an_unwritable_target_is_refused(tmp_path):
    source = write(tmp_path / "in.png", picture(), "PNG")
    taken = tmp_path / "taken.png"
    taken.mkdir()  # a folder by that name: writing the file fails even for root

    error = refused("label_image", str(source), str(taken), "--asset-id", "5")

    assert error.startswith(f"Cannot write {taken}: ")
    assert taken.is_dir()


def test_the_commands_exit_non_zero_with_one_line_and_no_traceback(tmp_path):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300))

    labelled = manage("label_image", str(garbage), str(tmp_path / "out.png"), "--asset-id", "3")
    checked = manage("verify_image", str(tmp_path / "absent.jpg"))

    for finished in (labelled, checked):
        assert finished.returncode == 1, finished.stderr
        assert finished.stdout == ""
        assert "Traceback" not in finished.stderr
        assert len(finished.stderr.strip().splitlines()) == 1
        assert finished.stderr.startswith("CommandError: ")
    assert not (tmp_path / "out.png").exists()


# VERIFY_IMAGE -------------------------------------------------------------------------------


@pytest.fixture
def poster(tmp_path) -> tuple[Path, list]:
    """A generated poster's file (as the brand downloads it) and the job's two assets."""
    tenant = TenantFactory(name="Lumière")
    job = rendered(tenant, CLEAN_SCRIPT, variants=2)
    with tenant_scope(tenant.pk):
        renders = list(
            Render.objects.filter(tenant=tenant, job=job).select_related("asset").order_by("pk")
        )
    assets = [render.asset for render in renders]
    path = tmp_path / "poster.jpg"
    path.write_bytes(storage.read_bytes(assets[0].file.name))
    return path, assets


def reencoded(path: Path, change, *, quality: int = 75) -> Path:
    with Image.open(path) as image:
        changed = change(image.convert("RGB"))
    out = path.with_name(f"changed-{path.name}")
    changed.save(out, "JPEG", quality=quality)
    return out


@pytest.mark.django_db
def test_a_generated_poster_is_ours_by_every_mark(poster):
    path, [asset, _] = poster

    report = verify(path)

    assert report["generated_by_us"] is True
    assert report["labelled_by_us"] is False
    assert report["ai_label"]["visible"] is True
    label_read = report["ai_label"]["metadata"]
    assert label_read["label"]["ProduceID"] == str(asset.pk)
    assert label_read["seal_valid"] is True
    assert report["watermark"]["asset_id"] == asset.pk
    assert report["fingerprint_match"]["asset_id"] == asset.pk
    assert report["fingerprint_match"]["match"] is True
    # verify_image is the operator's command: it sees the asset whoever owns it.
    assert report["asset"]["matched_by"] == "watermark"
    assert report["asset"]["asset_id"] == asset.pk
    assert report["asset"]["brand"] == "Lumière"
    assert report["asset"]["sha256"] == asset.sha256


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda image: image,
        lambda image: image.resize((image.width // 2, image.height // 2), Image.LANCZOS),
        lambda image: image.crop(
            (image.width // 20, image.height // 20, image.width * 19 // 20,
             image.height * 19 // 20)
        ),
    ],
    ids=["jpeg-q75", "half-size", "10%-crop"],
)  # fmt: skip
def test_a_reencoded_poster_loses_its_metadata_but_the_watermark_finds_it(poster, change):
    path, [asset, _] = poster

    report = verify(reencoded(path, change))

    assert report["ai_label"]["metadata"] is None
    assert report["watermark"]["found"] is True
    assert report["watermark"]["asset_id"] == asset.pk
    assert report["generated_by_us"] is True
    assert report["asset"]["matched_by"] == "watermark"
    assert report["asset"]["asset_id"] == asset.pk


@pytest.mark.django_db
def test_an_unmarked_image_is_not_ours(tmp_path, poster):
    path = write(tmp_path / "elsewhere.jpg", picture(), "JPEG")

    report = verify(path)

    assert report["watermark"]["found"] is False
    assert report["watermark"]["asset_id"] is None
    assert report["ai_label"] == {"visible": None, "metadata": None}
    assert report["c2pa"] is None
    assert report["fingerprint_match"]["match"] is False
    assert (report["generated_by_us"], report["labelled_by_us"], report["asset"]) == (
        False, False, None,
    )  # fmt: skip


def forged(data: bytes, produce_id: int) -> bytes:
    """`data` with the ProduceID of its TC260 label changed and the seal kept as it was."""
    original = metadata.read(data).label
    assert original is not None
    label = AigcLabel(**{**original.__dict__, "produce_id": str(produce_id)})
    return metadata.embed_into(data, label)


@pytest.mark.django_db
def test_a_poster_with_an_edited_produce_id_is_still_named_by_its_watermark(poster):
    path, [asset, other] = poster
    path.write_bytes(forged(path.read_bytes(), other.pk))

    report = verify(path)

    label_read = report["ai_label"]["metadata"]
    assert label_read["label"]["ProduceID"] == str(other.pk)
    assert label_read["seal_valid"] is False
    assert report["asset"]["matched_by"] == "watermark"
    assert report["asset"]["asset_id"] == asset.pk


@pytest.mark.django_db
def test_a_forged_label_on_someone_elses_image_names_no_asset(tmp_path, poster):
    path, [_, other] = poster
    # The poster's label copied onto a picture we never made, with another asset's id.
    unmarked = encode(picture(), "JPEG")
    sealed = metadata.read(path.read_bytes()).label
    copied = metadata.embed_into(unmarked, sealed)
    target = tmp_path / "forged.jpg"
    target.write_bytes(forged(copied, other.pk))

    report = verify(target)

    assert report["ai_label"]["metadata"]["label"]["ProduceID"] == str(other.pk)
    assert report["ai_label"]["metadata"]["seal_valid"] is False
    assert report["watermark"]["found"] is False
    assert (report["generated_by_us"], report["asset"]) == (False, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "The image file is truncated or corrupt."),
        (b"GIF89a" + b"\x00" * 100, "The file is not a PNG, JPEG or WebP image."),
    ],
    ids=["zero-bytes", "garbage-after-a-jpeg-header", "gif"],
)
def test_verify_image_refuses_what_is_not_an_image(tmp_path, content, message):
    path = tmp_path / "garbage.jpg"
    path.write_bytes(content)

    error = refused("verify_image", str(path))

    assert error == f"{path}: {message}"


def test_verify_image_of_a_missing_file_says_so(tmp_path):
    error = refused("verify_image", str(tmp_path / "nope.png"))

    assert error == f"Cannot read {tmp_path / 'nope.png'}: No such file or directory."
