"""The Celery application: `celery -A config worker`."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_process_init

from config.request_context import (
    add_request_id_header,
    enter_task_request_id,
    leave_task_request_id,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("brandloom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

before_task_publish.connect(add_request_id_header, weak=False)
task_prerun.connect(enter_task_request_id, weak=False)
task_postrun.connect(leave_task_request_id, weak=False)


def _warm_up_pipeline(**_: object) -> None:
    # Imported here: this module loads before Django's apps are ready.
    from generation.warmup import pipeline_warm_up

    pipeline_warm_up()


worker_process_init.connect(_warm_up_pipeline, weak=False)
