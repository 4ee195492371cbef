"""An image backend for pipeline tests, plugged in through APP_IMAGE_BACKENDS like any other.

It renders with the real compositor, first noting each start in Redis and then taking
APP_TEST_RENDER_SECONDS longer, so that a test can kill a worker or flush Redis mid-render.
"""

import os
import time

import redis
from django.conf import settings

from generation.backends.image.base import RenderedImage, RenderSpec
from generation.backends.image.compositor import CompositorBackend


class SlowCompositorBackend(CompositorBackend):
    name = "slow-compositor"

    def render(self, spec: RenderSpec) -> RenderedImage:
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.rpush("test:render-starts", f"{os.getpid()}:{spec.seed}")
        client.close()
        time.sleep(float(os.environ.get("APP_TEST_RENDER_SECONDS", "0.3")))
        return super().render(spec)
