"""Every file the pipeline hands out carries its marks: run on a real Celery worker (given the
C2PA chain through its environment, as a deployment would), and at labelling.mark's level."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from generation import storage
from generation.backends.image.base import OutputFormat
from generation.models import Asset, Job
from provenance import c2pa_manifest, fingerprint, labelling, metadata, watermark
from tests.generation.test_pipeline_worker import renders_of, submit, wait_finished
from tests.tenants.factories import TenantFactory, rows

from .test_c2pa_manifest import make_chain

GENERATED = labelling.SOURCE_TYPES[False]  # no product photo composed in


@pytest.fixture
def c2pa_chain(tmp_path: Path, settings) -> dict[str, str]:
    """A development chain, configured in this process and returned as the worker's env."""
    out = tmp_path / "c2pa"
    make_chain(out)
    env = {
        "APP_C2PA_CERT_CHAIN": str(out / "chain.pem"),
        "APP_C2PA_PRIVATE_KEY": str(out / "leaf.key"),
        "APP_C2PA_TRUST_ANCHORS": str(out / "root.pem"),
    }
    for name, value in env.items():
        setattr(settings, name, value)
    c2pa_manifest.reset_signer_cache()
    yield env
    c2pa_manifest.reset_signer_cache()


def assert_carries_every_mark(asset: Asset, data: bytes) -> None:
    assert hashlib.sha256(data).hexdigest() == asset.sha256
    assert asset.marks["visible_label"] == "AI生成"
    assert asset.marks["watermark"] == {
        "installation_id": settings.APP_WATERMARK_INSTALLATION_ID,
        "asset_id": asset.pk,
    }
    assert asset.marks["c2pa"] is True
    read = metadata.read(data)
    assert read.label is not None
    assert read.label.produce_id == str(asset.pk)
    assert read.label.content_producer == settings.APP_AIGC_PROVIDER_CODE
    assert read.seal_valid is True
    assert read.digital_source_type == GENERATED
    pixels = Image.open(io.BytesIO(data))
    found = watermark.detect(pixels)
    assert found.payload == watermark.Payload(settings.APP_WATERMARK_INSTALLATION_ID, asset.pk)
    assert asset.pdq is not None and asset.pdq_quality is not None
    stored_print = asset.pdq if isinstance(asset.pdq, str) else asset.pdq.to_text()
    # Taken of the marked pixels before encoding: the decoded JPEG is within a few bits.
    assert fingerprint.hamming(stored_print, fingerprint.pdq(pixels).bits) <= 8
    manifest = c2pa_manifest.read(data, asset.content_type)
    assert manifest is not None
    assert manifest["asset_id"] == asset.pk
    assert manifest["validation"] == {"state": "trusted", "errors": []}
    assert manifest["digital_source_type"] == GENERATED


@pytest.mark.celery_worker
def test_a_jobs_files_carry_every_mark_and_an_identical_job_reuses_them(start_worker, c2pa_chain):
    start_worker(**c2pa_chain)
    tenant = TenantFactory()

    first = wait_finished(tenant, submit(tenant, variants=2, seed=7))

    assert first.status == Job.Status.SUCCEEDED
    renders = renders_of(tenant, first)
    assert len(renders) == 2
    files = {}
    for render in renders:
        files[render.asset_id] = storage.read_bytes(render.asset.file.name)
        assert_carries_every_mark(render.asset, files[render.asset_id])

    again = wait_finished(tenant, submit(tenant, variants=2, seed=7))

    assert again.status == Job.Status.SUCCEEDED
    reused = renders_of(tenant, again)
    assert [r.is_cache_hit for r in reused] == [True, True]
    assert [r.asset_id for r in reused] == [r.asset_id for r in renders]
    assert len(rows(Asset, tenant)) == 2
    for render in reused:
        assert storage.read_bytes(render.asset.file.name) == files[render.asset_id]
        assert render.asset.sha256 == hashlib.sha256(files[render.asset_id]).hexdigest()


def poster_like() -> Image.Image:
    image = Image.new("RGB", (600, 400), "#F1E7DA")
    ImageDraw.Draw(image).rectangle((80, 120, 360, 340), fill="#0F766E")
    return image


@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_marking_in_process_signs_a_trusted_manifest_naming_the_asset(c2pa_chain, output_format):
    marked = labelling.mark(
        poster_like(),
        output_format=output_format,
        asset_id=4242,
        title="Serum · main_800x800 #0",
        composite=True,
        visible_label="AI生成",
        generator="compositor 1.0.0",
    )

    manifest = c2pa_manifest.read(marked.data, marked.content_type)
    assert manifest is not None
    assert manifest["asset_id"] == 4242
    assert manifest["validation"] == {"state": "trusted", "errors": []}
    assert manifest["digital_source_type"] == labelling.SOURCE_TYPES[True]
    assert marked.marks["c2pa"] is True
    assert marked.marks["digital_source_type"] == labelling.SOURCE_TYPES[True]
    assert metadata.read(marked.data).label.produce_id == "4242"
    found = watermark.detect(Image.open(io.BytesIO(marked.data)))
    assert found.payload.asset_id == 4242
    assert set(marked.timings_ms) == {"watermark", "fingerprint", "encode", "c2pa"}


def test_without_a_chain_files_are_marked_but_not_signed(settings):
    settings.APP_C2PA_CERT_CHAIN = ""
    settings.APP_C2PA_PRIVATE_KEY = ""
    c2pa_manifest.reset_signer_cache()

    marked = labelling.mark(
        poster_like(),
        output_format=OutputFormat.PNG,
        asset_id=5,
        title="t",
        composite=False,
        visible_label="AI生成",
    )

    assert marked.marks["c2pa"] is False
    assert c2pa_manifest.read(marked.data, "image/png") is None
    assert metadata.read(marked.data).seal_valid is True
