"""Optional semantic search: CLIP embeddings of images and of search queries.

Configured by APP_CLIP_MODEL_PATH, a folder holding a CLIP model exported to ONNX (the
`clip` extra installs onnxruntime and tokenizers; nothing is downloaded at run time):

    image.onnx     pixels [N, 3, S, S] float32, normalised with the mean/std below → [N, D]
    text.onnx      token ids [N, L] int64 → [N, D]
    tokenizer.json the text tower's tokenizer (Hugging Face `tokenizers` format)
    clip.json      {"image_size": S, "context_length": L, "mean": [3], "std": [3], "pad_id": 0}

OpenCLIP and multilingual CLIP models export to this shape (a multilingual text tower is what
makes Chinese queries semantic). Unset, everything else in the library works the same: search
is full text, trigrams, colour and similar image.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from pgvector.django import CosineDistance
from PIL import Image

from library.models import AssetEmbedding


class SemanticSearchUnavailable(RuntimeError):
    """The configured model folder cannot be loaded (missing files, extra not installed)."""


@dataclass(frozen=True)
class ClipModel:
    name: str  # digest of the model files: embeddings of another model are never compared
    image_size: int
    context_length: int
    mean: np.ndarray
    std: np.ndarray
    pad_id: int
    image_session: Any
    text_session: Any
    tokenizer: Any

    def embed_image(self, image: Image.Image) -> list[float]:
        rgb = image.convert("RGB").resize(
            (self.image_size, self.image_size), Image.Resampling.BICUBIC
        )
        pixels = (np.asarray(rgb, dtype=np.float32) / 255.0 - self.mean) / self.std
        batch = pixels.transpose(2, 0, 1)[np.newaxis].astype(np.float32)
        name = self.image_session.get_inputs()[0].name
        (vector,) = self.image_session.run(None, {name: batch})[0]
        return _normalised(vector)

    def embed_text(self, text: str) -> list[float]:
        ids = self.tokenizer.encode(text).ids[: self.context_length]
        padded = ids + [self.pad_id] * (self.context_length - len(ids))
        name = self.text_session.get_inputs()[0].name
        (vector,) = self.text_session.run(None, {name: np.asarray([padded], dtype=np.int64)})[0]
        return _normalised(vector)


def _normalised(vector: np.ndarray) -> list[float]:
    vector = vector.astype(np.float32).ravel()
    norm = float(np.linalg.norm(vector)) or 1.0
    return [float(v) for v in vector / norm]


@lru_cache(maxsize=2)
def _load(path: str) -> ClipModel:
    folder = Path(path)
    files = {
        name: folder / name for name in ("image.onnx", "text.onnx", "tokenizer.json", "clip.json")
    }
    missing = [name for name, file in files.items() if not file.is_file()]
    if missing:
        raise SemanticSearchUnavailable(f"The CLIP model folder {path} lacks {', '.join(missing)}.")
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as error:
        raise SemanticSearchUnavailable(
            "Semantic search needs the `clip` extra: pip install 'brandloom[clip]'."
        ) from error
    config = json.loads(files["clip.json"].read_text())
    digest = hashlib.sha256()
    for name in ("image.onnx", "text.onnx", "tokenizer.json"):
        digest.update(files[name].read_bytes())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # a worker process per core already
    providers = ["CPUExecutionProvider"]
    return ClipModel(
        name=digest.hexdigest()[:16],
        image_size=int(config.get("image_size", 224)),
        context_length=int(config.get("context_length", 77)),
        mean=np.asarray(config.get("mean", [0.48145466, 0.4578275, 0.40821073]), np.float32),
        std=np.asarray(config.get("std", [0.26862954, 0.26130258, 0.27577711]), np.float32),
        pad_id=int(config.get("pad_id", 0)),
        image_session=onnxruntime.InferenceSession(
            str(files["image.onnx"]), options, providers=providers
        ),
        text_session=onnxruntime.InferenceSession(
            str(files["text.onnx"]), options, providers=providers
        ),
        tokenizer=Tokenizer.from_file(str(files["tokenizer.json"])),
    )


def model() -> ClipModel | None:
    """The configured model, loaded once per process; None when none is configured."""
    path = settings.APP_CLIP_MODEL_PATH
    return _load(path) if path else None


def image_store(*, tenant_id: int, asset_id: int, image: Image.Image) -> None:
    """Embed an asset's image when a model is configured (a no-op otherwise)."""
    clip = model()
    if clip is None:
        return
    AssetEmbedding.objects.update_or_create(
        tenant_id=tenant_id, asset_id=asset_id, model=clip.name,
        defaults={"vector": clip.embed_image(image)},
    )  # fmt: skip


def nearest_to_text(*, tenant_id: int, text: str, limit: int = 50) -> dict[int, float]:
    """The brand's assets most similar to a text (asset id → cosine similarity), best first;
    empty when no model is configured."""
    clip = model()
    if clip is None or not text.strip():
        return {}
    rows = (
        AssetEmbedding.objects.filter(tenant_id=tenant_id, model=clip.name)
        .annotate(distance=CosineDistance("vector", clip.embed_text(text)))
        .order_by("distance")
        .values_list("asset_id", "distance")[:limit]
    )
    return {asset_id: 1.0 - float(distance) for asset_id, distance in rows}
