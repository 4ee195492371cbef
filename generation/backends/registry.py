"""Backends by name: the built-in ones plus any a deployment adds through settings."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from generation.backends.image.base import ImageBackend
from generation.backends.text.base import TextBackend

BUILTIN_TEXT_BACKENDS = {"builtin": "generation.backends.text.builtin.BuiltinTextBackend"}
BUILTIN_IMAGE_BACKENDS = {"compositor": "generation.backends.image.compositor.CompositorBackend"}


class UnknownBackend(ValueError):
    pass


def _paths(builtin: dict[str, str], setting: str) -> dict[str, str]:
    return {**builtin, **getattr(settings, setting, {})}


def text_backend_names() -> list[str]:
    return sorted(_paths(BUILTIN_TEXT_BACKENDS, "APP_TEXT_BACKENDS"))


def image_backend_names() -> list[str]:
    return sorted(_paths(BUILTIN_IMAGE_BACKENDS, "APP_IMAGE_BACKENDS"))


@cache
def text_backend(name: str) -> TextBackend:
    paths = _paths(BUILTIN_TEXT_BACKENDS, "APP_TEXT_BACKENDS")
    if name not in paths:
        raise UnknownBackend(f"Unknown text backend {name!r}; use one of {', '.join(paths)}.")
    backend: TextBackend = import_string(paths[name])()
    return backend


@cache
def image_backend(name: str) -> ImageBackend:
    paths = _paths(BUILTIN_IMAGE_BACKENDS, "APP_IMAGE_BACKENDS")
    if name not in paths:
        raise UnknownBackend(f"Unknown image backend {name!r}; use one of {', '.join(paths)}.")
    backend: ImageBackend = import_string(paths[name])()
    return backend
