"""The Celery application: `celery -A config worker`."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

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
