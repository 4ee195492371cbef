import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()


def _warm_up() -> None:
    from generation.warmup import pipeline_warm_up

    pipeline_warm_up()


# The analysis preview needs jieba's dictionaries (~2 s to load): load them while the server
# starts taking requests, not during somebody's first click on "Analyse".
threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
