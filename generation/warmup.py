"""Work a worker process does once at start, so its first render is as fast as its hundredth."""

import logging
import time

from compliance import checker
from generation import analysis
from generation.compositor.fonts import require_fonts

logger = logging.getLogger(__name__)


def pipeline_warm_up() -> None:
    """Load jieba's dictionaries, the fonts and the ad-law rulebook (every plan checks copy);
    raises FontsMissing when a font is absent."""
    started = time.perf_counter()
    require_fonts()
    analysis.warm_up()
    checker.warm_up()
    logger.info("pipeline.warmed_up", extra={"ms": round((time.perf_counter() - started) * 1000)})
