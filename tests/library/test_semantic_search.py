"""Semantic library search with a CLIP model configured (a tiny one made by the test: the real
ONNX Runtime and tokenizer path runs), and the same search without one."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from library import semantic
from library.models import AssetEmbedding
from tenants.context import tenant_scope
from tests.tenants.factories import TenantFactory, api_key, rows

from . import tiny_clip
from .pictures import encoded
from .test_library_api import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def clip_model(tmp_path: Path, settings) -> Path:
    folder = tiny_clip.make(tmp_path / "clip")
    settings.APP_CLIP_MODEL_PATH = str(folder)
    yield folder
    semantic._load.cache_clear()


def client_for(tenant) -> APIClient:
    _row, key = api_key(tenant, scopes=("assets:read", "assets:write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def plain(colour) -> bytes:
    """A backdrop in one colour with a small white mark (the tiny model averages pixels)."""
    image = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(image).rectangle((20, 20, 60, 60), fill="white")
    return encoded(image)


def library(client, tenant) -> None:
    # File names say nothing about colour: only the pixels can match "red".
    upload(
        client, tenant,
        {"IMG_0001.jpg": plain((210, 30, 30)), "IMG_0002.jpg": plain((30, 40, 210))},
    )  # fmt: skip


def names(client, q: str) -> list[str]:
    response = client.get("/api/v1/library/assets", {"q": q})
    assert response.status_code == 200
    return [a["name"] for a in response.json()["results"]]


def test_with_a_clip_model_text_finds_images_by_what_they_show(clip_model):
    tenant = TenantFactory()
    client = client_for(tenant)
    library(client, tenant)

    assert len(rows(AssetEmbedding, tenant)) == 2
    assert names(client, "red") == ["IMG_0001.jpg"]
    assert names(client, "蓝色") == ["IMG_0002.jpg"]


def test_without_a_model_search_is_by_words_and_nothing_is_embedded(settings):
    settings.APP_CLIP_MODEL_PATH = ""
    tenant = TenantFactory()
    client = client_for(tenant)
    library(client, tenant)

    assert rows(AssetEmbedding, tenant) == []
    assert names(client, "red") == []
    assert names(client, "IMG_0001") == ["IMG_0001.jpg"]


def test_an_incomplete_model_folder_is_named_in_the_error(tmp_path, settings):
    (tmp_path / "clip").mkdir()
    settings.APP_CLIP_MODEL_PATH = str(tmp_path / "clip")
    with pytest.raises(semantic.SemanticSearchUnavailable, match=r"image\.onnx"):
        semantic.model()


def test_embeddings_of_another_brand_are_never_searched(clip_model):
    tenant, other = TenantFactory(), TenantFactory()
    library(client_for(other), other)

    assert names(client_for(tenant), "red") == []
    with tenant_scope(tenant.pk):
        assert semantic.nearest_to_text(tenant_id=tenant.pk, text="red") == {}
    with tenant_scope(other.pk):
        assert len(semantic.nearest_to_text(tenant_id=other.pk, text="red")) == 2
